import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ThumbnailCache, type ThumbnailResult, type ThumbnailSource } from '../../../../src/core/gallery/thumbnailCache';
import { loadSharp } from '../../../../src/core/images/loadSharp';
import { type ThumbnailEncoder, writeThumbnail } from '../../../../src/core/images/writeThumbnail';
import { silentLogger } from '../../../../src/core/util/logger';
import { writeSamplePng } from '../../../support/samplePng';
import { recordingLogger, tempFolder, withTempFolder } from '../../../support/tempStudio';

/** Long enough for a thumbnail that should not be made to have been made. */
const quietMs = 300;

async function sourceOf(file: string): Promise<ThumbnailSource> {
  const { size, mtimeMs } = await stat(file);
  return { path: `images/${path.basename(file)}`, file, size, mtimeMs };
}

/** The real sharp pipeline, counted: which images it was given, and how many ran at once. */
function countingEncoder(): { encode: ThumbnailEncoder; readonly inputs: string[]; readonly peak: number } {
  const inputs: string[] = [];
  let running = 0;
  let peak = 0;
  return {
    inputs,
    get peak() {
      return peak;
    },
    encode: async (input, output, side) => {
      inputs.push(path.basename(input));
      running++;
      peak = Math.max(peak, running);
      try {
        await writeThumbnail(input, output, side);
      } finally {
        running--;
      }
    },
  };
}

/** Everything `cache` announces, and a way to wait until `count` results have arrived. */
function collect(cache: ThumbnailCache): { readonly results: ThumbnailResult[]; until(count: number): Promise<ThumbnailResult[]> } {
  const results: ThumbnailResult[] = [];
  const waiters: Array<() => void> = [];
  cache.onDidMake((result) => {
    results.push(result);
    for (const waiter of waiters) waiter();
  });
  return {
    results,
    until: (count) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (results.length >= count) resolve(results);
        };
        waiters.push(check);
        check();
      }),
  };
}

/**
 * sharp's native libraries loaded in this process. The bundle loads sharp with import(), which
 * leaves no trace in require.cache; the loaded shared objects show it whichever loader ran.
 */
function loadedSharpLibraries(): string[] {
  const { sharedObjects } = process.report.getReport() as { sharedObjects?: string[] };
  return (sharedObjects ?? []).filter((file) => /libvips|sharp-[a-z0-9]+-[a-z0-9]+.*\.node$/.test(file));
}

function fileOf(result: ThumbnailResult | undefined): string {
  assert.ok(result && 'file' in result, `expected a thumbnail, got ${JSON.stringify(result)}`);
  return result.file;
}

// First, before anything in this file has used sharp.
it('does not load sharp to open the cache or answer from it', async () => {
  await withTempFolder(async (dir) => {
    const cache = await ThumbnailCache.create({ folder: path.join(dir, 'thumbs'), logger: silentLogger });
    assert.equal(cache.cachedFile({ path: 'a.png', file: path.join(dir, 'a.png'), size: 1, mtimeMs: 1 }), undefined);
    await delay(quietMs); // time enough for a stray import('sharp') to finish loading
    assert.deepEqual(loadedSharpLibraries(), []);
  });
});

describe('ThumbnailCache', { timeout: 60_000 }, () => {
  let images: string;
  let cleanup: () => Promise<void>;
  /** Twelve different 512×768 pictures, shared by the tests, which never change them. */
  const picture = (n: number): string => path.join(images, `picture-${String(n).padStart(2, '0')}.png`);

  before(async () => {
    ({ dir: images, cleanup } = await tempFolder('studionova-thumbs-'));
    await Promise.all(Array.from({ length: 12 }, (_, n) => writeSamplePng(picture(n), 512, 768, n)));
  });
  after(() => cleanup());

  it('makes a WebP whose longer side is 256, in the picture’s proportions', async () => {
    await withTempFolder(async (dir) => {
      const cache = await ThumbnailCache.create({ folder: path.join(dir, 'thumbs'), logger: silentLogger });
      const source = await sourceOf(picture(0));
      const results = collect(cache);
      cache.want([source]);
      const [result] = await results.until(1);
      assert.equal(result?.path, 'images/picture-00.png');
      const file = fileOf(result);
      assert.equal(path.dirname(file), path.join(dir, 'thumbs'));
      assert.match(path.basename(file), /^[0-9a-f]{40}\.webp$/);
      assert.equal(cache.cachedFile(source), file);
      assert.notDeepEqual(loadedSharpLibraries(), []);
      const { format, width, height } = await (await loadSharp())(file).metadata();
      assert.equal(format, 'webp');
      assert.equal(height, 256);
      assert.ok(Math.abs(width - (512 * 256) / 768) <= 1, `width ${width}`);
    });
  });

  it('keeps a small picture at its own size', async () => {
    await withTempFolder(async (dir) => {
      const small = path.join(dir, 'small.png');
      await writeSamplePng(small, 100, 60, 3);
      const cache = await ThumbnailCache.create({ folder: path.join(dir, 'thumbs'), logger: silentLogger });
      const { width, height } = await (await loadSharp())(await cache.make(await sourceOf(small))).metadata();
      assert.deepEqual([width, height], [100, 60]);
    });
  });

  it('serves a made thumbnail from the cache, in this cache and in one opened later', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'thumbs');
      const counter = countingEncoder();
      const cache = await ThumbnailCache.create({ folder, logger: silentLogger, encode: counter.encode });
      const source = await sourceOf(picture(1));
      const results = collect(cache);
      cache.want([source]);
      const file = fileOf((await results.until(1))[0]);
      const madeAt = (await stat(file)).mtimeMs;

      cache.want([source]);
      await delay(quietMs);
      assert.equal(results.results.length, 1, 'no second result');
      assert.equal(counter.inputs.length, 1, 'not encoded again');
      assert.equal(await cache.make(source), file);
      assert.equal((await stat(file)).mtimeMs, madeAt);

      const reopenedCounter = countingEncoder();
      const reopened = await ThumbnailCache.create({ folder, logger: silentLogger, encode: reopenedCounter.encode });
      assert.equal(reopened.cachedFile(source), file);
      assert.equal(await reopened.make(source), file);
      assert.deepEqual(reopenedCounter.inputs, []);
    });
  });

  it('makes a new thumbnail when the picture changes', async () => {
    await withTempFolder(async (dir) => {
      const image = path.join(dir, 'picture.png');
      await copyFile(picture(2), image);
      const cache = await ThumbnailCache.create({ folder: path.join(dir, 'thumbs'), logger: silentLogger });
      const first = await cache.make(await sourceOf(image));

      const later = new Date(Date.now() + 60_000);
      await utimes(image, later, later);
      const touched = await sourceOf(image);
      assert.equal(cache.cachedFile(touched), undefined);
      const results = collect(cache);
      cache.want([touched]);
      const second = fileOf((await results.until(1))[0]);
      assert.notEqual(second, first);
      assert.equal(cache.cachedFile(touched), second);
      await stat(second);
    });
  });

  it('never makes what was wanted but scrolled past before it started', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'thumbs');
      const counter = countingEncoder();
      const cache = await ThumbnailCache.create({ folder, concurrency: 1, logger: silentLogger, encode: counter.encode });
      const sources = await Promise.all(Array.from({ length: 12 }, (_, n) => sourceOf(picture(n))));
      const results = collect(cache);
      cache.want(sources.slice(0, 10)); // A..J: A starts at once
      cache.want(sources.slice(10)); // K, L
      await results.until(3);
      await delay(quietMs);
      assert.deepEqual(counter.inputs, ['picture-00.png', 'picture-10.png', 'picture-11.png']);
      assert.deepEqual(
        results.results.map((result) => result.path),
        ['images/picture-00.png', 'images/picture-10.png', 'images/picture-11.png'],
      );
      for (const source of sources.slice(1, 10)) assert.equal(cache.cachedFile(source), undefined);
      assert.equal((await readdir(folder)).length, 3);
    });
  });

  it('never runs more pipelines at once than its concurrency, wished or asked for', async () => {
    await withTempFolder(async (dir) => {
      const counter = countingEncoder();
      const cache = await ThumbnailCache.create({ folder: path.join(dir, 'thumbs'), concurrency: 2, logger: silentLogger, encode: counter.encode });
      const sources = await Promise.all(Array.from({ length: 12 }, (_, n) => sourceOf(picture(n))));
      const results = collect(cache);
      cache.want(sources.slice(0, 8));
      const asked = await Promise.all(sources.slice(8).map((source) => cache.make(source)));
      await results.until(12);
      assert.equal(asked.length, 4);
      assert.equal(counter.inputs.length, 12);
      assert.equal(counter.peak, 2);
      assert.ok(results.results.every((result) => 'file' in result));
    });
  });

  it('reports a corrupt or truncated picture once, leaves no file behind and does not retry it', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'thumbs');
      const corrupt = path.join(dir, 'corrupt.png');
      const truncated = path.join(dir, 'truncated.png');
      await writeFile(corrupt, randomBytes(4096));
      const whole = await readFile(picture(3));
      await writeFile(truncated, whole.subarray(0, whole.length / 2));
      const counter = countingEncoder();
      const logger = recordingLogger();
      const cache = await ThumbnailCache.create({ folder, logger, encode: counter.encode });
      const bad = [await sourceOf(corrupt), await sourceOf(truncated)];
      const good = await sourceOf(picture(3));
      const results = collect(cache);

      cache.want([...bad, good]);
      await results.until(3);
      const byPath = new Map(results.results.map((result) => [result.path, result]));
      for (const source of bad) assert.ok('error' in byPath.get(source.path)!, `${source.path} failed`);
      assert.deepEqual(await readdir(folder), [path.basename(fileOf(byPath.get(good.path)))]);
      assert.ok(logger.lines.some((line) => line.startsWith('warn: No thumbnail for images/corrupt.png')));

      cache.want(bad);
      await delay(quietMs);
      assert.equal(results.results.length, 3, 'no new result');
      assert.equal(counter.inputs.length, 3, 'not retried');
      await assert.rejects(cache.make(bad[0]!));
      assert.equal(counter.inputs.length, 3);

      // Changed (say, rewritten by the user), it is tried again.
      const later = new Date(Date.now() + 60_000);
      await utimes(corrupt, later, later);
      cache.want([await sourceOf(corrupt)]);
      await results.until(4);
      assert.ok('error' in results.results[3]!);
      assert.equal(counter.inputs.length, 4);
      assert.equal((await readdir(folder)).length, 1);
    });
  });

  it('prunes thumbnails of changed or deleted pictures and abandoned temporary files', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'thumbs');
      const [a, b, c] = ['a.png', 'b.png', 'c.png'].map((name) => path.join(dir, name)) as [string, string, string];
      await Promise.all([copyFile(picture(4), a), copyFile(picture(5), b), copyFile(picture(6), c)]);
      const cache = await ThumbnailCache.create({ folder, logger: silentLogger });
      const [oldA, sourceB, sourceC] = await Promise.all([a, b, c].map(sourceOf)) as [ThumbnailSource, ThumbnailSource, ThumbnailSource];
      await Promise.all([oldA, sourceB, sourceC].map((source) => cache.make(source)));
      const later = new Date(Date.now() + 60_000);
      await utimes(a, later, later);
      const newA = await sourceOf(a);
      const newAFile = await cache.make(newA);
      await rm(c);

      const abandoned = path.join(folder, `${'0'.repeat(40)}.webp.1234abcd.tmp`);
      const beingWritten = path.join(folder, `${'1'.repeat(40)}.webp.5678abcd.tmp`);
      await writeFile(abandoned, 'half');
      await writeFile(beingWritten, 'half');
      const anHourAgo = new Date(Date.now() - 3_600_000);
      await utimes(abandoned, anHourAgo, anHourAgo);
      await writeFile(path.join(folder, 'notes.txt'), 'not a thumbnail');

      assert.equal(await cache.prune([newA, sourceB]), 3);
      assert.deepEqual(
        (await readdir(folder)).sort(),
        [path.basename(newAFile), path.basename(cache.cachedFile(sourceB)!), path.basename(beingWritten), 'notes.txt'].sort(),
      );
      assert.equal(cache.cachedFile(oldA), undefined);
      assert.equal(cache.cachedFile(sourceC), undefined);
      assert.equal(cache.cachedFile(newA), newAFile);
    });
  });

  it('answers nothing from a folder that does not exist yet, and creates it on first write', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, '.studio', 'thumbs');
      const cache = await ThumbnailCache.create({ folder, logger: silentLogger });
      const source = await sourceOf(picture(7));
      assert.equal(cache.cachedFile(source), undefined);
      assert.equal(await cache.prune([]), 0);
      await cache.make(source);
      assert.equal((await readdir(folder)).length, 1);
    });
  });
});

