// Find and replace over every caption of a 2,000-image dataset on disk, as the caption panel's host
// does it on one click of "Replace" with nothing selected (CaptionsPanel.applyEdits and save):
// the store's texts, applyCaptionEdits, CaptionStore.save of every changed caption (each written
// atomically: a temporary file, fsync, rename), and CaptionHistory.record of what was saved.
//
//   BENCH captions_replace_2000_ms       that whole path, from the click's request to the saved
//                                        files, 2,000 captions of ~200 characters, all changed
//                                        (median). Goal ≤ 500 ms.
//   captions_save_2000_ms (plain line)   CaptionStore.save alone, inside the same runs.
//
// Not timed: CaptionStore.load (done once when the panel opens), and putting the files back
// between runs (each run then loads the store again, as a fresh panel would).
//
// After the figure, where the save's time goes: one caption at a time, the mean of each step of
// the save (the conflict check's read, open, write, fsync, close, rename), then the whole save's
// steps replayed with other choices (no fsync, fdatasync, more files at a time), to size a fix.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CaptionStore } from '../src/core/captions/captionStore';
import { applyCaptionEdits, type CaptionEdit } from '../src/shared/captions/captionEdits';
import { CaptionHistory } from '../src/shared/captions/captionHistory';
import { captionText, imageStem } from './support/captionDataset';
import { median, report, time } from './support/measure';

const name = 'captions_replace_2000_ms';
const captionCount = 2000;
const trigger = 'big_v1';
/** Each run writes 2,000 files; the disk's write-back makes later runs noisier than the CPU does. */
const runs = 7;
const warmUpRuns = 1;
/** What the user types: it is in every caption, so every caption is rewritten and saved. */
const edit: CaptionEdit = { kind: 'replace', find: 'red hair', replace: 'silver hair', regex: false, caseSensitive: false };
/** CaptionStore.save runs this many saves at once (mapLimited in src/core/studio/scanner.ts). */
const storeConcurrency = 16;

interface Sample {
  readonly totalMs: number;
  readonly saveMs: number;
  readonly saved: number;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

async function main(): Promise<void> {
  const folder = await mkdtemp(path.join(tmpdir(), 'studionova-bench-captions-'));
  try {
    await writeDataset(folder);
    console.log(`  ${captionCount} captions of ~${captionText(trigger, 0).length} characters in ${folder} (file system of the temp dir)`);
    for (let run = 0; run < warmUpRuns; run++) await restore(folder).then(() => replaceOnce(folder));
    const samples: Sample[] = [];
    for (let run = 0; run < runs; run++) {
      await restore(folder);
      samples.push(await replaceOnce(folder));
    }
    const saved = samples[0]!.saved;
    if (saved !== captionCount) throw new Error(`only ${saved} of ${captionCount} captions were saved`);
    await checkSaved(folder);
    console.log(`  every run saved ${saved} captions; edit, record and the rest: ${median(samples.map((s) => s.totalMs - s.saveMs)).toFixed(1)} ms (median)`);
    printPlain('captions_save_2000_ms', samples.map((s) => s.saveMs), 'ms');
    report(name, samples.map((s) => s.totalMs), 'ms', 500);

    // What opening the editor pays before anything is shown (openCaptions loads the store first).
    const loads: number[] = [];
    for (let run = 0; run < 5; run++) loads.push(await time(async () => void (await CaptionStore.load(folder))));
    printPlain('CaptionStore.load of the 2,000 captions (opening the editor)', loads, 'ms');

    await restore(folder);
    await stepsOneAtATime(folder);
    await variants(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

// ── the dataset ────────────────────────────────────────────────────────────

/** The store lists images by name only: empty `.png` files stand in for the pictures. */
async function writeDataset(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < captionCount; i++) await writeFile(path.join(folder, `${imageStem('big', i)}.png`), '');
}

/**
 * Every caption as it was before any replace, ending with a line break as most editors leave it;
 * then flushed. A user's captions were written long before the click: left dirty in the page
 * cache, they would be written back inside the timed save (on ext4 an fsync commits the journal,
 * which first writes the data of every file in it), which is the restore's cost, not the save's.
 */
async function restore(folder: string): Promise<void> {
  for (let i = 0; i < captionCount; i++) await writeFile(captionFile(folder, i), `${captionText(trigger, i)}\n`);
  flushFileSystems();
}

/** sync(1) where there is one (Linux, macOS); elsewhere the runs are noisier, not wrong. */
function flushFileSystems(): void {
  if (process.platform !== 'win32') execFileSync('sync');
}

function captionFile(folder: string, index: number): string {
  return path.join(folder, `${imageStem('big', index)}.txt`);
}

async function checkSaved(folder: string): Promise<void> {
  const last = await readFile(captionFile(folder, captionCount - 1), 'utf8');
  if (!last.includes('silver hair') || last.includes('red hair')) throw new Error(`the replace did not reach the disk: ${last}`);
}

// ── the measured path ──────────────────────────────────────────────────────

/** CaptionsPanel.applyEdits then CaptionsPanel.save, without the webview's rows. */
async function replaceOnce(folder: string): Promise<Sample> {
  const store = await CaptionStore.load(folder);
  const history = new CaptionHistory();
  const started = performance.now();
  const result = applyCaptionEdits(store.texts(), [edit], 'all');
  if (!result.ok) throw new Error(result.error);
  const changes = result.changes;
  const saveStarted = performance.now();
  const saveReport = await store.save(new Map([...changes].map(([id, change]) => [id, change.after])));
  const saveMs = performance.now() - saveStarted;
  // Only what reached the disk becomes the undo step, as the panel records it.
  history.record(new Map(saveReport.saved.flatMap((id) => (changes.has(id) ? [[id, changes.get(id)!] as const] : []))));
  const totalMs = performance.now() - started;
  if (saveReport.conflicts.length > 0 || saveReport.failed.length > 0) {
    throw new Error(`${saveReport.conflicts.length} conflicts and ${saveReport.failed.length} failures: ${saveReport.failed[0]?.message ?? ''}`);
  }
  return { totalMs, saveMs, saved: saveReport.saved.length };
}

// ── where the time goes ────────────────────────────────────────────────────

type Step = 'read' | 'open' | 'write' | 'sync' | 'close' | 'rename';
const steps: readonly Step[] = ['read', 'open', 'write', 'sync', 'close', 'rename'];

/**
 * The save's steps for one caption, as CaptionStore.saveOne and writeFileAtomic take them: read the
 * file (the conflict check), open a temporary file beside it, write, fsync, close, rename over.
 */
async function saveSteps(file: string, text: string, sync: 'fsync' | 'fdatasync' | 'none', timings?: Map<Step, number>, check = true): Promise<void> {
  let mark = performance.now();
  const lap = (step: Step): void => {
    const now = performance.now();
    if (timings) timings.set(step, (timings.get(step) ?? 0) + now - mark);
    mark = now;
  };
  if (check) await readFile(file);
  lap('read');
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  lap('open');
  try {
    await handle.writeFile(`${text}\n`);
    lap('write');
    if (sync === 'fsync') await handle.sync();
    else if (sync === 'fdatasync') await handle.datasync();
    lap('sync');
  } finally {
    await handle.close();
  }
  lap('close');
  await rename(temp, file);
  lap('rename');
}

/** One caption at a time: the mean of each step, in ms per caption. */
async function stepsOneAtATime(folder: string): Promise<void> {
  const timings = new Map<Step, number>();
  const started = performance.now();
  for (let i = 0; i < captionCount; i++) await saveSteps(captionFile(folder, i), captionText(trigger, i).replace('red hair', 'silver hair'), 'fsync', timings);
  const wall = performance.now() - started;
  const parts = steps.map((step) => `${step} ${((timings.get(step) ?? 0) / captionCount).toFixed(3)}`);
  console.log(`  one caption at a time, ms per caption: ${parts.join(', ')}; ${(wall / captionCount).toFixed(3)} in all (${wall.toFixed(0)} ms for ${captionCount})`);
}

interface Variant {
  readonly label: string;
  readonly sync: 'fsync' | 'fdatasync' | 'none';
  readonly concurrency: number;
  /** Read the file first, as the conflict check does. */
  readonly check?: false;
}

const variantList: readonly Variant[] = [
  { label: `as now: fsync, ${storeConcurrency} at a time`, sync: 'fsync', concurrency: storeConcurrency },
  { label: 'fsync, 64 at a time', sync: 'fsync', concurrency: 64 },
  { label: 'fsync, 256 at a time', sync: 'fsync', concurrency: 256 },
  { label: `fdatasync, ${storeConcurrency} at a time`, sync: 'fdatasync', concurrency: storeConcurrency },
  { label: `no fsync (write, rename), ${storeConcurrency} at a time`, sync: 'none', concurrency: storeConcurrency },
  { label: `fsync, no conflict-check read, ${storeConcurrency} at a time`, sync: 'fsync', concurrency: storeConcurrency, check: false },
];
const variantRuns = 5;

/** The whole save's steps with other choices; the files are put back before each run (untimed). */
async function variants(folder: string): Promise<void> {
  for (const variant of variantList) {
    const samples: number[] = [];
    for (let run = 0; run < variantRuns; run++) {
      await restore(folder);
      const started = performance.now();
      await eachLimited(captionCount, variant.concurrency, (i) =>
        saveSteps(captionFile(folder, i), captionText(trigger, i).replace('red hair', 'silver hair'), variant.sync, undefined, variant.check ?? true),
      );
      samples.push(performance.now() - started);
    }
    printPlain(`save steps, ${variant.label}`, samples, 'ms');
  }
  // The floor: what the same file system operations cost without libuv's thread pool in between
  // (synchronous calls, one caption after another, as a worker thread could make them).
  const floor: number[] = [];
  for (let run = 0; run < variantRuns; run++) {
    await restore(folder);
    const started = performance.now();
    for (let i = 0; i < captionCount; i++) saveStepsSync(captionFile(folder, i), captionText(trigger, i).replace('red hair', 'silver hair'));
    floor.push(performance.now() - started);
  }
  printPlain('save steps as synchronous calls, fsync, one at a time', floor, 'ms');
  // And one plain write per file, in place: no check, no temporary file, no fsync, no rename.
  const plain: number[] = [];
  for (let run = 0; run < variantRuns; run++) {
    await restore(folder);
    const started = performance.now();
    await eachLimited(captionCount, storeConcurrency, (i) => writeFile(captionFile(folder, i), `${captionText(trigger, i).replace('red hair', 'silver hair')}\n`));
    plain.push(performance.now() - started);
  }
  printPlain(`plain writeFile in place, ${storeConcurrency} at a time`, plain, 'ms');
}

/** saveSteps with fsync, as synchronous calls. */
function saveStepsSync(file: string, text: string): void {
  readFileSync(file);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, `${text}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/** Runs `work(0..count-1)`, at most `limit` at a time (what mapLimited does, with its limit as a parameter). */
async function eachLimited(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** A figure without a target: the median and the spread on one line. */
function printPlain(label: string, samples: readonly number[], unit: string): void {
  console.log(`  ${label}: ${median(samples).toFixed(1)} ${unit} (runs ${samples.length}: min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)})`);
}
