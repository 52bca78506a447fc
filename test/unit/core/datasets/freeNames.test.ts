import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { datasetStemNames, writeUnderFreeStem } from '../../../../src/core/datasets/freeNames';
import { withTempFolder } from '../../../support/tempStudio';

describe('writeUnderFreeStem', () => {
  it('writes image and caption under the first stem free of any image or caption of it', async () => {
    await withTempFolder(async (folder) => {
      const taken = new Set(['a.jpg', 'a-2.txt']);
      const names = await writeUnderFreeStem(folder, 'a', [{ extension: '.png', data: 'image' }, { extension: '.txt', data: 'caption' }], { taken, blockingNames: datasetStemNames });
      assert.deepEqual(names, ['a-3.png', 'a-3.txt']);
      assert.ok(taken.has('a-3.png') && taken.has('a-3.txt'));
    });
  });

  it('moves on when a name was taken after the folder was listed, keeping that file and leaving no temporary one', async () => {
    await withTempFolder(async (folder) => {
      // The listing said "a.txt" was free, but someone wrote it since: the half-made pair goes.
      await writeFile(path.join(folder, 'a.txt'), 'theirs');
      const names = await writeUnderFreeStem(folder, 'a', [{ extension: '.png', data: 'image' }, { extension: '.txt', data: 'caption' }], { taken: new Set() });
      assert.deepEqual(names, ['a-2.png', 'a-2.txt']);
      assert.equal(await readFile(path.join(folder, 'a.txt'), 'utf8'), 'theirs');
      assert.deepEqual((await readdir(folder)).sort(), ['a-2.png', 'a-2.txt', 'a.txt']);
    });
  });
});
