import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { importImages } from '../../../../src/core/datasets/importImages';
import { classifyStudioPath } from '../../../../src/core/studio/layout';
import { scanStudio } from '../../../../src/core/studio/scanner';
import { blue, green, near, pixelAt, red, sizeOf, writeSolidPng, writeSplitImage } from '../../../support/datasetImages';
import { withSampleStudio, withTempFolder } from '../../../support/tempStudio';

const sorted = (names: string[]): string[] => [...names].sort();

describe('importImages', () => {
  it('turns PNG, JPEG and WebP files into square PNGs at the dataset resolution', async () => {
    await withTempFolder(async (dir) => {
      const dataset = path.join(dir, 'datasets', 'spyke');
      const sources = [path.join(dir, 'in', 'wide.jpg'), path.join(dir, 'in', 'tall.webp'), path.join(dir, 'in', 'small.png')];
      await writeSplitImage(sources[0]!, 900, 600, 450, red, blue);
      await writeSplitImage(sources[1]!, 300, 700, 150, green, blue);
      await writeSplitImage(sources[2]!, 100, 100, 50, red, green);

      const report = await importImages(dataset, sources);

      assert.deepEqual(report.failed, []);
      assert.deepEqual(report.imported.map((i) => path.basename(i.image)), ['wide.png', 'tall.png', 'small.png']);
      assert.deepEqual(report.imported.map((i) => i.enlarged), [false, true, true]);
      for (const { image } of report.imported) assert.deepEqual(await sizeOf(image), { width: 512, height: 512, format: 'png' });
    });
  });

  it('uses the resolution dataset.json asks for', async () => {
    await withTempFolder(async (dir) => {
      const dataset = path.join(dir, 'spyke');
      await mkdir(dataset, { recursive: true });
      await writeFile(path.join(dataset, 'dataset.json'), JSON.stringify({ trigger: 'spyke_v1', resolution: 256 }));
      const source = path.join(dir, 'photo.png');
      await writeSplitImage(source, 800, 400, 400, red, blue);
      const { imported } = await importImages(dataset, [source]);
      assert.deepEqual(await sizeOf(imported[0]!.image), { width: 256, height: 256, format: 'png' });
    });
  });

  it('keeps the centred square of a wide picture', async () => {
    await withTempFolder(async (dir) => {
      // 800×400, left half red: the centred 400×400 square is red on its left half, blue on its right.
      const halves = path.join(dir, 'halves.png');
      await writeSplitImage(halves, 800, 400, 400, red, blue);
      // 900×300, left third red: the centred square (x 300–600) has no red at all.
      const thirds = path.join(dir, 'thirds.jpg');
      await writeSplitImage(thirds, 900, 300, 300, red, blue);

      const { imported } = await importImages(path.join(dir, 'set'), [halves, thirds]);

      const [fromHalves, fromThirds] = imported.map((i) => i.image) as [string, string];
      assert.deepEqual(await pixelAt(fromHalves, 10, 256), red);
      assert.deepEqual(await pixelAt(fromHalves, 250, 256), red);
      assert.deepEqual(await pixelAt(fromHalves, 262, 256), blue);
      assert.deepEqual(await pixelAt(fromHalves, 501, 256), blue);
      // Resampling blends the first few columns with the red just outside the square.
      assert.ok(near(await pixelAt(fromThirds, 8, 256), blue));
      assert.ok(near(await pixelAt(fromThirds, 509, 256), blue));
    });
  });

  it('keeps the crop rectangle given for an image, in the upright picture\'s pixels', async () => {
    await withTempFolder(async (dir) => {
      const thirds = path.join(dir, 'thirds.png');
      await writeSplitImage(thirds, 900, 300, 300, red, blue);
      // Stored 40×20 with its left half red, shown turned a quarter clockwise: 20×40, red on top.
      const turned = path.join(dir, 'turned.png');
      await writeSplitImage(turned, 40, 20, 20, red, blue, 6);

      const { imported, failed } = await importImages(path.join(dir, 'set'), [
        { file: thirds, crop: { left: 0, top: 0, width: 300, height: 300 } },
        { file: thirds, crop: { left: 150, top: 0, width: 300, height: 300 } },
        { file: turned, crop: { left: 0, top: 20, width: 20, height: 20 } },
      ]);

      assert.deepEqual(failed, []);
      const [left, straddling, bottom] = imported.map((i) => i.image) as [string, string, string];
      assert.deepEqual([await pixelAt(left, 5, 5), await pixelAt(left, 506, 506)], [red, red]);
      assert.deepEqual([await pixelAt(straddling, 200, 256), await pixelAt(straddling, 300, 256)], [red, blue]);
      assert.deepEqual([await pixelAt(bottom, 5, 5), await pixelAt(bottom, 506, 506)], [blue, blue]);
    });
  });

  it('refuses a crop that does not fit the image, and imports nothing of it', async () => {
    await withTempFolder(async (dir) => {
      const source = path.join(dir, 'photo.png');
      await writeSplitImage(source, 300, 200, 100, red, blue);
      const dataset = path.join(dir, 'set');
      const { imported, failed } = await importImages(dataset, [
        { file: source, crop: { left: 150, top: 0, width: 200, height: 200 } },
        { file: source, crop: { left: 0, top: 0, width: 10.5, height: 10 } },
        { file: source, crop: { left: -1, top: 0, width: 10, height: 10 } },
        { file: source, crop: { left: 0, top: 0, width: 0, height: 10 } },
      ]);
      assert.deepEqual(imported, []);
      assert.deepEqual(failed.map((f) => f.reason), [
        'Cannot crop: the crop 200×200 at 150,0 reaches outside the 300×200 image.',
        'Cannot crop: the crop must be whole pixels.',
        'Cannot crop: the crop starts outside the image.',
        'Cannot crop: the crop is empty.',
      ]);
      assert.deepEqual(await readdir(dataset).catch(() => []), []);
    });
  });

  it('skips a picture the batch already had, and one the dataset already has', async () => {
    await withTempFolder(async (dir) => {
      const dataset = path.join(dir, 'set');
      const first = path.join(dir, 'first.png');
      const sameAgain = path.join(dir, 'same-again.png');
      const other = path.join(dir, 'other.png');
      await writeSolidPng(first, 600, red);
      // The same picture in other bytes: a different compression level.
      await writeSolidPng(sameAgain, 600, red, 9);
      await writeSolidPng(other, 600, green);
      assert.notDeepEqual(await readFile(first), await readFile(sameAgain));

      const batch = await importImages(dataset, [first, sameAgain, other]);
      assert.deepEqual(batch.imported.map((i) => path.basename(i.image)), ['first.png', 'other.png']);
      assert.deepEqual(batch.duplicates, [{ source: sameAgain, sameAs: path.join(dataset, 'first.png') }]);

      const again = await importImages(dataset, [other]);
      assert.deepEqual(again.imported, []);
      assert.deepEqual(again.duplicates, [{ source: other, sameAs: path.join(dataset, 'other.png') }]);
      assert.deepEqual(sorted(await readdir(dataset)), ['first.png', 'originals', 'other.png']);
      assert.deepEqual(sorted(await readdir(path.join(dataset, 'originals'))), ['first.png', 'other.png']);
    });
  });

  it('copies each original aside untouched, and never overwrites an image, caption or original', async () => {
    await withTempFolder(async (dir) => {
      const dataset = path.join(dir, 'set');
      const fromCamera = path.join(dir, 'camera', 'photo.jpg');
      const fromPhone = path.join(dir, 'phone', 'photo.jpg');
      await writeSplitImage(fromCamera, 640, 480, 320, red, blue);
      await writeSplitImage(fromPhone, 640, 480, 320, green, blue);
      // A caption someone wrote ahead of its image holds the stem "photo" too.
      await writeSplitImage(path.join(dataset, 'photo-2.png'), 512, 512, 256, blue, blue);
      await writeFile(path.join(dataset, 'photo.txt'), 'spyke_v1, portrait');
      const theirs = await readFile(path.join(dataset, 'photo-2.png'));

      const { imported } = await importImages(dataset, [fromCamera, fromPhone]);

      assert.deepEqual(imported.map((i) => [path.basename(i.image), path.relative(dataset, i.original)]), [
        ['photo-3.png', path.join('originals', 'photo.jpg')],
        ['photo-4.png', path.join('originals', 'photo-2.jpg')],
      ]);
      assert.deepEqual(await readFile(imported[0]!.original), await readFile(fromCamera));
      assert.deepEqual(await readFile(imported[1]!.original), await readFile(fromPhone));
      assert.deepEqual(await readFile(path.join(dataset, 'photo-2.png')), theirs);
      assert.equal(await readFile(path.join(dataset, 'photo.txt'), 'utf8'), 'spyke_v1, portrait');
    });
  });

  it('relies on the classifier taking only files directly in datasets/<id>/ as training data', () => {
    assert.deepEqual(classifyStudioPath('datasets/spyke/a.png'), { role: 'dataset-image', datasetId: 'spyke', stem: 'a' });
    assert.equal(classifyStudioPath('datasets/spyke/originals/a.png'), undefined);
    assert.equal(classifyStudioPath('datasets/spyke/originals/a.txt'), undefined);
    assert.equal(classifyStudioPath('datasets/spyke/derived.json'), undefined);
  });

  it('leaves originals/ out of the studio: only the training images count', async () => {
    await withSampleStudio(async (root) => {
      const source = path.join(root, 'new.png');
      await writeSplitImage(source, 700, 500, 350, red, blue);
      const { imported } = await importImages(path.join(root, 'datasets', 'spyke'), [source]);
      assert.equal(imported.length, 1);

      const files = await scanStudio(root);
      const images = files.filter((f) => f.role.role === 'dataset-image').map((f) => f.path);
      assert.deepEqual(sorted(images), ['datasets/spyke/new.png', 'datasets/spyke/spyke_001.png', 'datasets/spyke/spyke_002.png', 'datasets/spyke/spyke_003.png']);
      assert.equal(files.find((f) => f.path === 'datasets/spyke/originals/new.png'), undefined);
    });
  });

  it('reports what cannot be read and goes on with the rest', async () => {
    await withTempFolder(async (dir) => {
      const notAnImage = path.join(dir, 'notes.png');
      await writeFile(notAnImage, 'not a picture');
      const good = path.join(dir, 'good.png');
      await writeSplitImage(good, 64, 64, 32, red, blue);
      const dataset = path.join(dir, 'set');

      const report = await importImages(dataset, [path.join(dir, 'missing.png'), notAnImage, good]);

      assert.deepEqual(report.imported.map((i) => path.basename(i.image)), ['good.png']);
      assert.deepEqual(report.failed.map((f) => [path.basename(f.source), f.reason.replace(/ \(.*$/, '')]), [
        ['missing.png', 'the file does not exist'],
        ['notes.png', 'not an image that can be read'],
      ]);
      assert.deepEqual(sorted(await readdir(path.join(dataset, 'originals'))), ['good.png']);
    });
  });

  it('stops between images when aborted, leaving whole files and no temporary ones', async () => {
    await withTempFolder(async (dir) => {
      const sources = await Promise.all(
        [red, green, blue].map(async (colour, i) => {
          const file = path.join(dir, `source-${i}.png`);
          await writeSolidPng(file, 300 + i, colour);
          return file;
        }),
      );
      const dataset = path.join(dir, 'set');
      const controller = new AbortController();
      const progress: number[] = [];

      const report = await importImages(dataset, sources, {
        signal: controller.signal,
        onProgress: ({ done, total }) => {
          progress.push(done);
          assert.equal(total, 3);
          if (done === 1) controller.abort();
        },
      });

      assert.equal(report.cancelled, true);
      assert.deepEqual(progress, [1]);
      assert.deepEqual(report.imported.map((i) => path.basename(i.image)), ['source-0.png']);
      assert.deepEqual(sorted(await readdir(dataset)), ['originals', 'source-0.png']);
      assert.deepEqual(await readdir(path.join(dataset, 'originals')), ['source-0.png']);
      assert.deepEqual(await sizeOf(path.join(dataset, 'source-0.png')), { width: 512, height: 512, format: 'png' });
    });
  });

  it('imports nothing when aborted before it starts', async () => {
    await withTempFolder(async (dir) => {
      const source = path.join(dir, 'a.png');
      await writeSolidPng(source, 64, red);
      const report = await importImages(path.join(dir, 'set'), [source], { signal: AbortSignal.abort() });
      assert.deepEqual(report, { imported: [], duplicates: [], failed: [], cancelled: true });
      assert.deepEqual(await readdir(path.join(dir, 'set')).catch(() => []), []);
    });
  });
});
