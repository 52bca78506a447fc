import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setRating } from '../../../../src/core/gallery/ratings';
import { ratingsFile } from '../../../../src/core/studio/layout';
import { withTempFolder } from '../../../support/tempStudio';

const read = async (root: string): Promise<unknown> => JSON.parse(await readFile(path.join(root, ratingsFile), 'utf8'));

describe('setRating', () => {
  it('creates output/ratings.json, changes and clears ratings, and keeps concurrent ones', async () => {
    await withTempFolder(async (root) => {
      await setRating(root, 'output/b.png', 4);
      await Promise.all([setRating(root, 'output/a.png', 2), setRating(root, 'output/c.png', 5), setRating(root, 'output/b.png', 3)]);
      assert.deepEqual(await read(root), { ratings: { 'output/a.png': 2, 'output/b.png': 3, 'output/c.png': 5 } });
      await setRating(root, 'output/a.png', 0);
      assert.deepEqual(await read(root), { ratings: { 'output/b.png': 3, 'output/c.png': 5 } });
    });
  });

  it('keeps what else the file holds, and never replaces a file it cannot read', async () => {
    await withTempFolder(async (root) => {
      await mkdir(path.join(root, 'output'));
      await writeFile(path.join(root, ratingsFile), '{"note": "mine", "ratings": {"output/a.png": 1}}');
      await setRating(root, 'output/b.png', 5);
      assert.deepEqual(await read(root), { note: 'mine', ratings: { 'output/a.png': 1, 'output/b.png': 5 } });
      await writeFile(path.join(root, ratingsFile), '{"ratings": {');
      await assert.rejects(setRating(root, 'output/b.png', 2), /ratings\.json is not valid JSON/);
      assert.equal(await readFile(path.join(root, ratingsFile), 'utf8'), '{"ratings": {');
    });
  });

  it('refuses a rating outside 0 to 5', () => {
    assert.throws(() => setRating('/nowhere', 'output/a.png', 6), /0 \(none\) to 5/);
    assert.throws(() => setRating('/nowhere', 'output/a.png', 2.5), /0 \(none\) to 5/);
  });
});
