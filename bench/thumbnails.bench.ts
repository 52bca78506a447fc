// Gallery thumbnails: ThumbnailCache against a plain sharp loop, on the same 200 distinct
// 512×768 PNGs, with the same concurrency (the number of cores).
//
//   BENCH thumb_throughput_ratio   ours ÷ the plain loop, in images per second, the median over
//                                  paired runs (each pair run back to back, in alternating order,
//                                  so a burst of load elsewhere hits both alike). Goal ≥ 0.8.
//   BENCH thumb_rate               ours: want() all of them into a fresh folder, until the last result
//   BENCH thumb_baseline_rate      sharp(file).resize(256, 256, { fit: 'inside' }).webp({ quality: 80 }).toFile(out)
import { mkdir, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ThumbnailCache, type ThumbnailSource } from '../src/core/gallery/thumbnailCache';
import { loadSharp, type SharpModule } from '../src/core/images/loadSharp';
import { silentLogger } from '../src/core/util/logger';
import { writeSamplePng } from '../test/support/samplePng';
import { tempFolder } from '../test/support/tempStudio';
import { median, reportAtLeast } from './support/measure';

const imageCount = 200;
/** More pairs than other benchmarks take runs: each is short, and sharp's rate swings on a shared machine. */
const pairs = 7;
const concurrency = availableParallelism();

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

async function main(): Promise<void> {
  const { dir: root, cleanup } = await tempFolder('studionova-bench-thumbs-');
  try {
    const generated = performance.now();
    const sources = await samplePictures(path.join(root, 'images'));
    console.log(`  generated ${imageCount} pictures of 512×768 in ${((performance.now() - generated) / 1000).toFixed(1)} s (not measured); concurrency ${concurrency}`);
    const sharp = await loadSharp();

    let run = 0;
    const timeOurs = async (): Promise<number> => rate(() => ours(sharp, sources, path.join(root, `ours-${run}`)));
    const timeBaseline = async (): Promise<number> => rate(() => plainLoop(sharp, sources, path.join(root, `plain-${run}`)));
    await timeOurs(); // warm: the first pictures read from disk, libvips' threads started
    await timeBaseline();

    const oursRates: number[] = [];
    const baselineRates: number[] = [];
    const ratios: number[] = [];
    for (run = 1; run <= pairs; run++) {
      const [first, second] = run % 2 === 1 ? [timeOurs, timeBaseline] : [timeBaseline, timeOurs];
      const a = await first();
      const b = await second();
      const [oursRate, baselineRate] = first === timeOurs ? [a, b] : [b, a];
      oursRates.push(oursRate);
      baselineRates.push(baselineRate);
      ratios.push(oursRate / baselineRate);
    }
    reportAtLeast('thumb_throughput_ratio', ratios, 'ratio', 0.8);
    console.log(`BENCH thumb_rate ${median(oursRates).toFixed(1)} images/s`);
    console.log(`BENCH thumb_baseline_rate ${median(baselineRates).toFixed(1)} images/s`);
    console.log(`  ${imageCount} pictures per run, ${pairs} pairs; baseline in the same run`);
  } finally {
    await cleanup();
  }
}

/** Distinct pictures, so every thumbnail decodes and encodes real work. */
async function samplePictures(folder: string): Promise<ThumbnailSource[]> {
  await mkdir(folder, { recursive: true });
  const files = Array.from({ length: imageCount }, (_, n) => path.join(folder, `picture-${String(n).padStart(3, '0')}.png`));
  for (let n = 0; n < files.length; n += concurrency) {
    await Promise.all(files.slice(n, n + concurrency).map((file, i) => writeSamplePng(file, 512, 768, n + i)));
  }
  return Promise.all(
    files.map(async (file) => {
      const { size, mtimeMs } = await stat(file);
      return { path: `images/${path.basename(file)}`, file, size, mtimeMs };
    }),
  );
}

/** Images per second of one run of `work`; its output folder is removed afterwards, untimed. */
async function rate(work: () => Promise<string>): Promise<number> {
  const started = performance.now();
  const folder = await work();
  const seconds = (performance.now() - started) / 1000;
  await rm(folder, { recursive: true, force: true });
  return imageCount / seconds;
}

async function ours(sharp: SharpModule, sources: readonly ThumbnailSource[], folder: string): Promise<string> {
  // loadSharp() turns libvips' cache off once per process; the plain loop turned it back on.
  sharp.cache(false);
  const cache = await ThumbnailCache.create({ folder, concurrency, logger: silentLogger });
  await new Promise<void>((resolve, reject) => {
    let made = 0;
    cache.onDidMake((result) => {
      if ('error' in result) reject(new Error(`${result.path}: ${result.error}`));
      else if (++made === sources.length) resolve();
    });
    cache.want(sources);
  });
  cache.dispose();
  return folder;
}

/** What a thumbnail loop looks like without the cache: sharp's defaults, a pool of workers. */
async function plainLoop(sharp: SharpModule, sources: readonly ThumbnailSource[], folder: string): Promise<string> {
  sharp.cache(true);
  await mkdir(folder, { recursive: true });
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let n = next++; n < sources.length; n = next++) {
      await sharp(sources[n]!.file).resize(256, 256, { fit: 'inside' }).webp({ quality: 80 }).toFile(path.join(folder, `${n}.webp`));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return folder;
}
