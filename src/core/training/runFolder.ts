import { appendFile, mkdir, open, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import en from 'zod/v4/locales/en.js';
import * as z from 'zod/mini';
import { AppError, InvalidInputError } from '../util/errors';
import { isErrnoException, isMissingFile, writeFileAtomic } from '../util/files';
import { mapLimited } from '../util/mapLimited';
import type { FailureCause, LossPoint, RunRecord, RunStatus, TrainingConfig } from './model';
import { allOf, trainingConfigSchema } from './trainingConfig';

z.config(en());

/**
 * One training run's folder inside the studio:
 *
 *   training/<run>/run.json            the RunRecord, written atomically at every change
 *   training/<run>/dataset.toml        --dataset_config
 *   training/<run>/sample_prompts.txt  --sample_prompts
 *   training/<run>/train.log           the trainer's output, bar redraws collapsed (appended)
 *   training/<run>/loss.tsv            "step<TAB>loss<TAB>average" lines (appended; average may be empty)
 *   training/<run>/out/                --output_dir: checkpoints, out/sample/*.png, *-state/ folders
 *   training/<run>/logs/               --logging_dir (TensorBoard)
 *   training/<run>/trials/             checkpoint test images and their record
 */

export const trainingFolder = 'training';

/** Absolute paths of a run's files. */
export interface RunPaths {
  readonly runId: string;
  readonly root: string;
  readonly runJson: string;
  readonly datasetToml: string;
  readonly samplePrompts: string;
  readonly log: string;
  readonly loss: string;
  readonly out: string;
  /** Where sd-scripts writes sample images: `out/sample`. */
  readonly samples: string;
  readonly logs: string;
  readonly trials: string;
}

/** `training/<run>`, studio-relative with forward slashes. */
export const runFolder = (runId: string): string => `${trainingFolder}/${runId}`;

export function runPaths(studioRoot: string, runId: string): RunPaths {
  checkRunId(runId);
  const root = path.join(studioRoot, trainingFolder, runId);
  const out = path.join(root, 'out');
  return {
    runId,
    root,
    runJson: path.join(root, 'run.json'),
    datasetToml: path.join(root, 'dataset.toml'),
    samplePrompts: path.join(root, 'sample_prompts.txt'),
    log: path.join(root, 'train.log'),
    loss: path.join(root, 'loss.tsv'),
    out,
    samples: path.join(out, 'sample'),
    logs: path.join(root, 'logs'),
    trials: path.join(root, 'trials'),
  };
}

/** Run ids name one folder under training/. */
function checkRunId(runId: string): void {
  if (!runId || /[\\/]/.test(runId) || runId === '.' || runId === '..' || runId.startsWith('.')) {
    throw new InvalidInputError(`"${runId}" is not a training run id.`);
  }
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** `<outputName>-YYYYMMDD-HHMMSS` in local time: sorts by time and tells the LoRA at a glance. */
export function newRunId(outputName: string, now: Date): string {
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `${outputName}-${date}-${time}`;
}

const maxSameSecondRuns = 1000;

/**
 * Makes a new, empty run folder. The last level is made without `recursive`, so two runs
 * started in the same second get `<id>`, `<id>-2`, `<id>-3`, never the same folder.
 * The studio folder itself must exist.
 */
export async function createRunFolder(studioRoot: string, config: Pick<TrainingConfig, 'outputName'>, now: Date): Promise<{ id: string; paths: RunPaths }> {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(config.outputName)) {
    throw new InvalidInputError(`"${config.outputName}" cannot name a training run: use letters, digits, "_", "-" and ".".`);
  }
  const base = newRunId(config.outputName, now);
  const parent = path.join(studioRoot, trainingFolder);
  try {
    await mkdir(parent);
  } catch (error) {
    if (!(isErrnoException(error) && error.code === 'EEXIST')) throw error;
  }
  for (let n = 1; n <= maxSameSecondRuns; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    try {
      await mkdir(path.join(parent, id));
      return { id, paths: runPaths(studioRoot, id) };
    } catch (error) {
      if (!(isErrnoException(error) && error.code === 'EEXIST')) throw error;
    }
  }
  throw new AppError('run_folder_taken', `Could not make a new run folder for ${base} in ${parent}: too many runs with that name in one second.`);
}

/** A run that was just asked for: queued, nothing run yet. */
export function newRunRecord(id: string, config: TrainingConfig, now: Date): RunRecord {
  return {
    version: 1,
    id,
    status: 'queued',
    config,
    command: null,
    createdAt: now.toISOString(),
    startedAt: null,
    endedAt: null,
    step: 0,
    totalSteps: config.maxTrainSteps,
    checkpoints: [],
    samples: [],
    failure: null,
    resumeFrom: null,
    resumes: null,
    chosen: null,
  };
}

const failureCauses = allOf<FailureCause>()(['out-of-memory', 'missing-base-model', 'no-images', 'bad-config', 'missing-package', 'no-final-file', 'exit-code', 'could-not-start']);
const runStatuses = allOf<RunStatus>()(['queued', 'running', 'completed', 'failed', 'cancelled']);
const nullableString = z.nullable(z.string());

export const runRecordSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  status: z.enum(runStatuses),
  config: trainingConfigSchema,
  command: z.nullable(z.object({ program: z.string(), args: z.array(z.string()), cwd: z.string() })),
  createdAt: z.string(),
  startedAt: nullableString,
  endedAt: nullableString,
  step: z.number(),
  totalSteps: z.nullable(z.number()),
  checkpoints: z.array(z.object({ file: z.string(), step: z.number(), final: z.boolean(), bytes: z.number(), loss: z.nullable(z.number()) })),
  samples: z.array(z.object({ file: z.string(), step: z.nullable(z.number()), promptIndex: z.number() })),
  failure: z.nullable(z.object({ cause: z.enum(failureCauses), message: z.string() })),
  resumeFrom: nullableString,
  resumes: nullableString,
  chosen: z.nullable(z.object({ file: z.string(), lora: z.string(), at: z.string() })),
}) satisfies z.ZodMiniType<RunRecord>;

/** A run.json read back: the record, or why it could not be used. */
export type RunRead = { readonly record: RunRecord; readonly problem?: undefined } | { readonly record?: undefined; readonly problem: string };

/**
 * Reads `training/<runId>/run.json`; undefined when the folder has none (not a run, or one
 * whose folder was just made). A file that is not JSON or not a run record gives `problem`,
 * naming the file and the first thing wrong, rather than throwing: one bad file must not hide
 * the other runs. The id is always the folder's name, so a copied folder is its own run.
 */
export async function readRun(studioRoot: string, runId: string): Promise<RunRead | undefined> {
  const paths = runPaths(studioRoot, runId);
  let text: string;
  try {
    text = await readFile(paths.runJson, 'utf8');
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw error;
  }
  const where = `${runFolder(runId)}/run.json`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { problem: `${where} is not valid JSON (${error instanceof Error ? error.message : String(error)}).` };
  }
  const parsed = runRecordSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.map(String).join('.');
    return { problem: `${where} is not a training run record: ${at ? `${at}: ` : ''}${issue?.message ?? 'invalid'}.` };
  }
  return { record: { ...parsed.data, id: runId } };
}

/** Writes run.json atomically: a reader sees the old or the new record, never half of one. */
export async function writeRun(studioRoot: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(runPaths(studioRoot, record.id).runJson, JSON.stringify(record, null, 2) + '\n');
}

/** Every readable run in the studio, newest first. Folders without a usable run.json are left out. */
export async function listRuns(studioRoot: string): Promise<RunRecord[]> {
  let entries;
  try {
    entries = await readdir(path.join(studioRoot, trainingFolder), { withFileTypes: true });
  } catch (error) {
    if (isMissingFile(error)) return [];
    throw error;
  }
  const ids = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name);
  const reads = await mapLimited(ids, (id) => readRun(studioRoot, id));
  const records = reads.flatMap((read) => (read?.record ? [read.record] : []));
  return records.sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt)));
}

/**
 * The record as it must read when no process runs it any more: a run still `running` after the
 * window closed or the editor crashed failed (no final file, only the checkpoints saved so far);
 * one still `queued` was never started and is cancelled. `alive`: a runner of this session holds
 * the run (queued or running). Any other record is returned as it is.
 */
export function settleStaleRun(record: RunRecord, alive: boolean): RunRecord {
  if (alive) return record;
  if (record.status === 'running') {
    return {
      ...record,
      status: 'failed',
      failure: {
        cause: 'no-final-file',
        message: 'The training stopped without finishing: the editor closed or crashed while it ran. Resume it from its last saved state, or start it again.',
      },
    };
  }
  if (record.status === 'queued') return { ...record, status: 'cancelled' };
  return record;
}

/** Appends points to loss.tsv. Callers append one batch at a time, in step order. */
export async function appendLoss(paths: RunPaths, points: readonly LossPoint[]): Promise<void> {
  if (points.length === 0) return;
  const text = points.map((point) => `${point.step}\t${point.loss}\t${point.average ?? ''}\n`).join('');
  await appendFile(paths.loss, text, 'utf8');
}

/** loss.tsv read back; an absent file is no points, and a torn or foreign line is skipped. */
export async function readLoss(paths: RunPaths): Promise<LossPoint[]> {
  let text: string;
  try {
    text = await readFile(paths.loss, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return [];
    throw error;
  }
  const points: LossPoint[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const firstTab = text.indexOf('\t', start);
    const secondTab = firstTab === -1 || firstTab > end ? -1 : text.indexOf('\t', firstTab + 1);
    if (secondTab !== -1 && secondTab < end) {
      const step = numberOf(text.slice(start, firstTab));
      const loss = numberOf(text.slice(firstTab + 1, secondTab));
      const averageText = text.slice(secondTab + 1, end).trimEnd();
      const average = averageText === '' ? null : numberOf(averageText);
      if (step !== undefined && Number.isInteger(step) && loss !== undefined && average !== undefined) points.push({ step, loss, average });
    }
    start = end + 1;
  }
  return points;
}

/** A number as `String(number)` wrote it, NaN included (the trainer prints `nan` losses); undefined for anything else. */
function numberOf(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  const value = Number(text);
  return text.trim() === '' || Number.isNaN(value) ? undefined : value;
}

/** Appends lines to train.log; each is one line, whatever it contained. */
export async function appendLog(paths: RunPaths, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await appendFile(paths.log, lines.map((line) => line.replace(/[\r\n]+/g, ' ')).join('\n') + '\n', 'utf8');
}

const tailChunkBytes = 64 * 1024;

/** The last `lines` lines of train.log, reading only the end of the file. */
export async function readLogTail(paths: RunPaths, lines: number): Promise<string[]> {
  if (lines <= 0) return [];
  let handle;
  try {
    handle = await open(paths.log, 'r');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return [];
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    // One newline more than lines wanted: the text before it may be a partial line.
    while (position > 0 && newlines <= lines) {
      const length = Math.min(tailChunkBytes, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      chunks.unshift(chunk);
      for (const byte of chunk) if (byte === 0x0a) newlines++;
    }
    // Decoding all chunks at once keeps a character split between two chunks whole.
    const all = Buffer.concat(chunks).toString('utf8').split('\n');
    if (all[all.length - 1] === '') all.pop();
    if (position > 0) all.shift();
    return all.slice(-lines);
  } finally {
    await handle.close();
  }
}

export interface CheckpointName {
  /** The global step of a step checkpoint (`-step00000200`). */
  readonly step: number | null;
  /** The 1-based epoch of an epoch checkpoint (`-000002`). */
  readonly epoch: number | null;
  /** The end-of-training file `<name>.safetensors`. */
  readonly final: boolean;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const baseName = (file: string): string => file.replace(/^.*[\\/]/, '');

/**
 * What a checkpoint file name says: `<name>-step%08d`, `<name>-%06d` or `<name>` with a model
 * extension. Takes a bare name or a path (sd-scripts prints `C:/out\name.safetensors` on
 * Windows). Undefined for any other file, another output name's included.
 */
export function checkpointStep(fileName: string, outputName: string): CheckpointName | undefined {
  const match = new RegExp(`^${escapeRegExp(outputName)}(?:-step(\\d{8,})|-(\\d{6,}))?\\.(?:safetensors|ckpt|pt)$`).exec(baseName(fileName));
  if (!match) return undefined;
  if (match[1] !== undefined) return { step: Number(match[1]), epoch: null, final: false };
  if (match[2] !== undefined) return { step: null, epoch: Number(match[2]), final: false };
  return { step: null, epoch: null, final: true };
}

export interface SampleImageName {
  /** The global step of step sampling. */
  readonly step: number | null;
  /** The epoch of epoch sampling (`e000002`; 0 for `--sample_at_first`). */
  readonly epoch: number | null;
  /** The prompt's line in sample_prompts.txt, from 0. */
  readonly promptIndex: number;
}

/** What a sample image name says: `<name>_<step%06d | e%06d>_<index%02d>_<YYYYmmddHHMMSS>[_<seed>].png`. */
export function sampleImageOf(fileName: string, outputName: string): SampleImageName | undefined {
  const match = new RegExp(`^${escapeRegExp(outputName)}_(e?)(\\d{6,})_(\\d{2,})_\\d{14}(?:_\\d+)?\\.png$`).exec(baseName(fileName));
  if (!match) return undefined;
  const number = Number(match[2]);
  return { step: match[1] ? null : number, epoch: match[1] ? number : null, promptIndex: Number(match[3]) };
}

/** The state folder sd-scripts writes with a step checkpoint (`--save_state`). */
export function stateFolderOf(outputName: string, step: number): string {
  return `${outputName}-step${String(step).padStart(8, '0')}-state`;
}

/**
 * The step state folder in `outDir` with the highest step that was written to the end, as an
 * absolute path, or null. sd-scripts writes `train_state.json` first and accelerate writes
 * `random_states_0.pkl` last, so a folder with both is complete.
 */
export async function latestStateFolder(outDir: string): Promise<string | null> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch (error) {
    if (isMissingFile(error)) return null;
    throw error;
  }
  const candidates = names
    .map((name) => ({ name, step: Number(/-step(\d{8,})-state$/.exec(name)?.[1] ?? NaN) }))
    .filter((candidate) => Number.isInteger(candidate.step))
    .sort((a, b) => b.step - a.step);
  for (const { name } of candidates) {
    const folder = path.join(outDir, name);
    if ((await isFile(path.join(folder, 'train_state.json'))) && (await isFile(path.join(folder, 'random_states_0.pkl')))) return folder;
  }
  return null;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch (error) {
    if (isMissingFile(error)) return false;
    throw error;
  }
}
