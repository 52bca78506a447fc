import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createDataset } from '../../../../src/core/datasets/createDataset';
import { withTempFolder } from '../../../support/tempStudio';

describe('createDataset', () => {
  it('writes dataset.json with the character, trigger, kind, repeats and resolution', async () => {
    await withTempFolder(async (root) => {
      assert.equal(await createDataset(root, { id: 'mira', characterId: 'mira', trigger: 'mira_v1', kind: 'character' }), 'datasets/mira/dataset.json');
      assert.deepEqual(JSON.parse(await readFile(path.join(root, 'datasets/mira/dataset.json'), 'utf8')), { character: 'mira', trigger: 'mira_v1', kind: 'character', repeats: 10, resolution: 512 });
      await createDataset(root, { id: 'mira-reg', characterId: undefined, trigger: undefined, kind: 'regularization', resolution: 768 });
      assert.deepEqual(JSON.parse(await readFile(path.join(root, 'datasets/mira-reg/dataset.json'), 'utf8')), { kind: 'regularization', repeats: 1, resolution: 768 });
    });
  });

  it('never replaces an existing dataset.json, and refuses a bad id or trigger', async () => {
    await withTempFolder(async (root) => {
      await mkdir(path.join(root, 'datasets/mira'), { recursive: true });
      await writeFile(path.join(root, 'datasets/mira/dataset.json'), '{"repeats": 3}');
      await assert.rejects(createDataset(root, { id: 'mira', characterId: 'mira', trigger: 'mira_v1', kind: 'character' }), /already exists/);
      assert.equal(await readFile(path.join(root, 'datasets/mira/dataset.json'), 'utf8'), '{"repeats": 3}');
      await assert.rejects(createDataset(root, { id: 'Bad Id', characterId: undefined, trigger: undefined, kind: 'character' }));
      await assert.rejects(createDataset(root, { id: 'ok', characterId: undefined, trigger: 'two words', kind: 'character' }));
    });
  });
});
