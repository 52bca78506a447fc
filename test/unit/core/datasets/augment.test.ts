import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { addFlips, removeDerived } from '../../../../src/core/datasets/augment';
import { validateDataset } from '../../../../src/core/datasets/validateDataset';
import { blue, green, pixelAt, red, writeSolidPng, writeSplitImage } from '../../../support/datasetImages';
import { withTempFolder } from '../../../support/tempStudio';

const sorted = (names: string[]): string[] => [...names].sort();

/** `count` 64-pixel images, red left of column i, captioned; plus dataset.json. */
async function writeDataset(folder: string, count: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'dataset.json'), JSON.stringify({ trigger: 'spyke_v1', resolution: 64 }));
  for (let i = 1; i <= count; i++) {
    await writeSplitImage(path.join(folder, `img_${String(i).padStart(2, '0')}.png`), 64, 64, i, red, blue);
    await writeFile(path.join(folder, `img_${String(i).padStart(2, '0')}.txt`), `spyke_v1, full body, pose ${i}\n`);
  }
}

describe('addFlips', () => {
  it('mirrors each image left to right, copies its caption and records the pair as derived', async () => {
    await withTempFolder(async (folder) => {
      await writeSplitImage(path.join(folder, 'a.png'), 64, 64, 16, red, blue);
      await writeFile(path.join(folder, 'a.txt'), 'spyke_v1, full body, standing, street\n');
      await writeSplitImage(path.join(folder, 'b.jpg'), 64, 64, 32, green, blue);

      const report = await addFlips(folder);

      assert.deepEqual(report.failed, []);
      assert.deepEqual(report.made.map((m) => [path.basename(m.from), path.basename(m.image), m.caption && path.basename(m.caption)]), [
        ['a.png', 'a_flip.png', 'a_flip.txt'],
        ['b.jpg', 'b_flip.png', undefined],
      ]);
      // Red was the left 16 columns; in the flip it is the right 16.
      assert.deepEqual([await pixelAt(path.join(folder, 'a_flip.png'), 2, 30), await pixelAt(path.join(folder, 'a_flip.png'), 47, 30)], [blue, blue]);
      assert.deepEqual([await pixelAt(path.join(folder, 'a_flip.png'), 48, 30), await pixelAt(path.join(folder, 'a_flip.png'), 63, 30)], [red, red]);
      assert.equal(await readFile(path.join(folder, 'a_flip.txt'), 'utf8'), 'spyke_v1, full body, standing, street\n');
      const record = JSON.parse(await readFile(path.join(folder, 'derived.json'), 'utf8')) as { derived: Array<Record<string, string>> };
      assert.deepEqual(record.derived.map((d) => [d['image'], d['from'], d['operation'], d['caption']]), [
        ['a_flip.png', 'a.png', 'flip-horizontal', 'a_flip.txt'],
        ['b_flip.png', 'b.jpg', 'flip-horizontal', undefined],
      ]);
    });
  });

  it('adds nothing the second time, and never takes a name that is in use', async () => {
    await withTempFolder(async (folder) => {
      await writeSplitImage(path.join(folder, 'a.png'), 64, 64, 16, red, blue);
      await writeFile(path.join(folder, 'a.txt'), 'spyke_v1, portrait');
      // Someone's caption already has the stem a_flip.
      await writeFile(path.join(folder, 'a_flip.txt'), 'mine');

      const first = await addFlips(folder);
      const second = await addFlips(folder);

      assert.deepEqual(first.made.map((m) => path.basename(m.image)), ['a_flip-2.png']);
      assert.equal(await readFile(path.join(folder, 'a_flip.txt'), 'utf8'), 'mine');
      assert.deepEqual(second.made, []);
      assert.deepEqual(second.skipped.map((s) => path.basename(s.image)), ['a.png']);
      assert.deepEqual(sorted(await readdir(folder)), ['a.png', 'a.txt', 'a_flip-2.png', 'a_flip-2.txt', 'a_flip.txt', 'derived.json']);
    });
  });

  it('keeps flips out of the image count and does not take a symmetric picture\'s flip for a duplicate', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'set');
      await writeDataset(folder, 14);
      // A plain square is its own mirror image.
      await writeSolidPng(path.join(folder, 'plain.png'), 64, green);
      await writeFile(path.join(folder, 'plain.txt'), 'spyke_v1, simple background');

      const before = await validateDataset(folder);
      await addFlips(folder);
      const after = await validateDataset(folder);

      assert.deepEqual(before.problems, []);
      assert.deepEqual(after.problems, []);
      assert.equal(after.summary.images, 30);
      assert.equal(after.summary.derived, 15);
      assert.equal(after.summary.captioned, 30);
    });
  });

  it('stops between images when aborted', async () => {
    await withTempFolder(async (folder) => {
      await writeDataset(folder, 3);
      const controller = new AbortController();
      const report = await addFlips(folder, { signal: controller.signal, onProgress: ({ done }) => done === 1 && controller.abort() });
      assert.equal(report.cancelled, true);
      assert.deepEqual(report.made.map((m) => path.basename(m.image)), ['img_01_flip.png']);
      assert.deepEqual(sorted((await readdir(folder)).filter((name) => name.includes('flip') || name.endsWith('.tmp'))), ['img_01_flip.png', 'img_01_flip.txt']);
    });
  });

  it('refuses to work from a damaged derived.json rather than guess which images are flips', async () => {
    await withTempFolder(async (folder) => {
      await writeDataset(folder, 1);
      await writeFile(path.join(folder, 'derived.json'), '{ "derived": [{ "image": "../escape.png" }] }');
      await assert.rejects(addFlips(folder), /derived\.json .* is damaged/);
      await assert.rejects(removeDerived(folder), /derived\.json .* is damaged/);
      const { problems } = await validateDataset(folder);
      assert.ok(problems.some((p) => p.code === 'dataset.derived-invalid'), JSON.stringify(problems));
    });
  });
});

describe('removeDerived', () => {
  it('removes exactly the flips and their captions, keeping one a person has changed', async () => {
    await withTempFolder(async (folder) => {
      await writeDataset(folder, 3);
      const before = sorted(await readdir(folder));
      await addFlips(folder);
      // A caption fixed by hand ("facing right" after the flip) is the person's work now.
      await writeFile(path.join(folder, 'img_02_flip.txt'), 'spyke_v1, full body, facing right');

      const report = await removeDerived(folder);

      assert.deepEqual(sorted(report.removed.map((file) => path.basename(file))), ['img_01_flip.png', 'img_01_flip.txt', 'img_03_flip.png', 'img_03_flip.txt']);
      assert.deepEqual(report.kept.map((k) => [path.basename(k.image), k.reason]), [['img_02_flip.png', 'img_02_flip.txt changed since it was made']]);
      assert.deepEqual(sorted(await readdir(folder)), sorted([...before, 'img_02_flip.png', 'img_02_flip.txt', 'derived.json']));
      const record = JSON.parse(await readFile(path.join(folder, 'derived.json'), 'utf8')) as { derived: Array<{ image: string }> };
      assert.deepEqual(record.derived.map((d) => d.image), ['img_02_flip.png']);

      // Once the person deletes it, the record goes with the last removal.
      await writeFile(path.join(folder, 'img_02_flip.txt'), 'spyke_v1, full body, pose 2\n');
      const again = await removeDerived(folder);
      assert.deepEqual(again.kept, []);
      assert.deepEqual(sorted(await readdir(folder)), before);
    });
  });

  it('leaves a caption a person wrote for a flip that had none', async () => {
    await withTempFolder(async (folder) => {
      await writeSplitImage(path.join(folder, 'a.png'), 64, 64, 16, red, blue);
      await addFlips(folder);
      await writeFile(path.join(folder, 'a_flip.txt'), 'spyke_v1, facing right');
      const report = await removeDerived(folder);
      assert.deepEqual(report.removed, []);
      assert.deepEqual(report.kept.map((k) => k.reason), ['a_flip.txt was written after the flip was made']);
    });
  });
});
