// What auto-captioning adds to the model's own time: 50 dataset images captioned through
// autoCaption (src/core/captions/autoCaption.ts) with the project's OllamaClient against the Ollama
// test double, each caption saved with CaptionStore.save as it arrives, compared with the double
// answering the same 50 requests to plain fetch calls.
//
//   BENCH autocaption_overhead_ratio   wall time of our run ÷ wall time of the baseline (medians of
//                                      alternating runs). Goal ≤ 1.05.
//
// The double answers each request in ~100 ms (--first-byte-ms for the prompt evaluation, then
// --delay-ms per streamed token, ~15 tokens), one request at a time as Ollama does by default.
// The baseline sends, one after another, exactly the bodies our client sent (captured in an untimed
// first run), and reads each NDJSON stream to its end. Ours also pays: reading each image, the
// prompt template, one /api/show per run (a fresh client each run, as a fresh session would),
// parsing and cleaning the stream, and an atomic save per caption.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AutoCaptionImage, autoCaption } from '../src/core/captions/autoCaption';
import { CaptionStore } from '../src/core/captions/captionStore';
import { defaultCaptionTemplate } from '../src/core/ollama/captionPrompt';
import { OllamaClient, type OllamaFetch } from '../src/core/ollama/ollamaClient';
import { startFakeOllama } from '../test/support/fakeOllama';
import { writeSamplePng } from '../test/support/samplePng';
import { imageStem } from './support/captionDataset';
import { median, report, skip } from './support/measure';

const name = 'autocaption_overhead_ratio';
const imageCount = 50;
/**
 * Smaller than a 512 px training image on purpose: the double checks the base64 of each image
 * character by character in Python, which for a 512 px PNG of noise costs more than the model time
 * we set, and would water the ratio down. Both sides send the same bytes, so it is fair either way.
 */
const imageSize = 128;
const model = 'llava:7b';
const trigger = 'big_v1';
const characterClass = 'woman';
/** Prompt evaluation before the first token, and the time per token: ~100 ms per answer. */
const firstByteMs = 40;
const tokenDelayMs = 4;
/** Alternating pairs (baseline, ours); each run is ~5 s. */
const pairs = 5;

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

async function main(): Promise<void> {
  const folder = await mkdtemp(path.join(tmpdir(), 'studionova-bench-autocaption-'));
  let fake: Awaited<ReturnType<typeof startFakeOllama>> | undefined;
  try {
    try {
      fake = await startFakeOllama({ args: ['--first-byte-ms', String(firstByteMs), '--delay-ms', String(tokenDelayMs)] });
    } catch (error) {
      skip(name, `the Ollama double did not start (is python3 installed?): ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const images = await writeImages(folder);
    console.log(`  ${imageCount} PNGs of ${imageSize}×${imageSize} px; the double: --first-byte-ms ${firstByteMs} --delay-ms ${tokenDelayMs}, one request at a time`);

    // Untimed: loads the "model" in the double, warms both sides, and captures the bodies we send.
    const bodies: string[] = [];
    const capture: OllamaFetch = (url, init) => {
      if (url.endsWith('/api/chat') && typeof init.body === 'string') bodies.push(init.body);
      return fetch(url, init);
    };
    await ours(folder, images, new OllamaClient(fake.url, capture));
    if (bodies.length !== imageCount) throw new Error(`captured ${bodies.length} chat requests, expected ${imageCount}`);
    await baseline(fake.url, bodies);

    const baselineMs: number[] = [];
    const oursMs: number[] = [];
    const ratios: number[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      const base = await baseline(fake.url, bodies);
      const mine = await ours(folder, images, new OllamaClient(fake.url));
      baselineMs.push(base);
      oursMs.push(mine);
      ratios.push(mine / base);
    }
    const perAnswer = median(baselineMs) / imageCount;
    console.log(`  baseline (plain fetch, stream read): ${describe(baselineMs)} ms, ${perAnswer.toFixed(1)} ms per answer`);
    console.log(`  ours (autoCaption + CaptionStore.save): ${describe(oursMs)} ms, ${((median(oursMs) - median(baselineMs)) / imageCount).toFixed(2)} ms more per image`);
    console.log(`  ratio of each pair: ${ratios.map((r) => r.toFixed(3)).join(', ')}`);
    report(name, ratios, 'ratio', 1.05);
  } finally {
    await fake?.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

async function writeImages(folder: string): Promise<AutoCaptionImage[]> {
  await mkdir(folder, { recursive: true });
  const images: AutoCaptionImage[] = [];
  for (let i = 0; i < imageCount; i++) {
    const file = path.join(folder, `${imageStem('big', i)}.png`);
    await writeSamplePng(file, imageSize, imageSize, i);
    images.push({ id: imageStem('big', i), file, existing: '' });
  }
  return images;
}

/** The run as the caption panel would make it: every caption saved as soon as it is cleaned. */
async function ours(folder: string, images: readonly AutoCaptionImage[], client: OllamaClient): Promise<number> {
  // Untimed: the panel has its store loaded already; and the captions from the last run go, so every image is new again.
  for (const image of images) await rm(path.join(folder, `${image.id}.txt`), { force: true });
  const store = await CaptionStore.load(folder);
  const started = performance.now();
  const result = await autoCaption({
    client,
    model,
    template: defaultCaptionTemplate,
    trigger,
    class: characterClass,
    images,
    onText: () => undefined,
    onDone: async (id, caption) => {
      const saved = await store.save(new Map([[id, caption]]));
      if (saved.saved.length !== 1) throw new Error(`${id} was not saved`);
    },
  });
  const elapsed = performance.now() - started;
  if (result.captioned.length !== imageCount) throw new Error(`${result.captioned.length} of ${imageCount} captioned; failed: ${result.failed[0]?.message ?? 'none'}`);
  return elapsed;
}

/** The same requests, one after another, each stream read to its end and nothing else done. */
async function baseline(url: string, bodies: readonly string[]): Promise<number> {
  const started = performance.now();
  for (const body of bodies) {
    const response = await fetch(`${url}/api/chat`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    if (!response.ok || !response.body) throw new Error(`the double answered ${response.status}`);
    for await (const chunk of response.body) void chunk;
  }
  return performance.now() - started;
}

function describe(samples: readonly number[]): string {
  return `median ${median(samples).toFixed(0)} (min ${Math.min(...samples).toFixed(0)}, max ${Math.max(...samples).toFixed(0)})`;
}
