import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod/mini';
import type { GenerationRequest } from '../generation/request';
import { errorMessage, InvalidInputError } from '../util/errors';
import { copyFileAtomic, isMissingFile, writeFileAtomic } from '../util/files';
import { mapLimited } from '../util/mapLimited';
import type { CheckpointRecord, LossPoint, RunRecord, TrainingConfig } from './model';
import { type RunPaths, runFolder, runPaths } from './runFolder';
import { type StoredTrialGrid, storedTrialGrid } from './trialGrid';

/** One test prompt of a checkpoint comparison: the same text and seed for every checkpoint. */
export interface TrialPrompt {
  readonly prompt: string;
  readonly negative: string;
  readonly seed: number;
}

const trialsFileName = 'trials.json';

const trialsSchema = z.object({
  version: z.literal(1),
  prompts: z.array(z.object({ prompt: z.string(), negative: z.string(), seed: z.int() })),
  cells: z.array(
    z.object({
      /** Run-relative checkpoint file. */
      checkpoint: z.string(),
      promptIndex: z.int(),
      /** Studio-relative image. */
      image: z.string(),
    }),
  ),
});
export type TrialsRecord = z.infer<typeof trialsSchema>;

/** The first seed when a sample prompt names none: fixed, so reruns of a comparison match. */
const firstSeed = 1234;

/**
 * The comparison's prompts: the run's sample prompts (sd-scripts' `text --n negative --d seed`
 * syntax), each with a fixed seed, so every checkpoint is judged on the same images.
 */
export function trialPrompts(config: TrainingConfig): TrialPrompt[] {
  return config.samplePrompts
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line, i) => {
      const { prompt, negative, seed } = parseSamplePrompt(line);
      return { prompt, negative, seed: seed ?? firstSeed + i };
    });
}

/** One line of sd-scripts' sample prompt syntax, `text --n negative --d seed` (other options ignored). */
export function parseSamplePrompt(line: string): { prompt: string; negative: string; seed: number | undefined } {
  const [text = '', ...options] = line.split(' --');
  const option = (key: string): string | undefined => options.find((o) => o.startsWith(`${key} `))?.slice(key.length + 1).trim();
  const seed = Number(option('d'));
  return { prompt: text.trim(), negative: option('n') ?? '', seed: Number.isInteger(seed) && seed >= 0 ? seed : undefined };
}

/** Where a checkpoint is put for ComfyUI to load it: a folder of its own inside `models/loras`. */
export function trialLoraName(runId: string, checkpoint: CheckpointRecord): string {
  return `studionova-trials/${runId}/${path.basename(checkpoint.file)}`;
}

/**
 * Puts a checkpoint where ComfyUI's LoraLoader finds it (`models/loras/studionova-trials/<run>/…`).
 * A copy, not a link: ComfyUI may run on another drive or in a container that sees only its own folders.
 */
export async function stageCheckpoint(paths: RunPaths, runId: string, checkpoint: CheckpointRecord, lorasFolder: string): Promise<string> {
  const name = trialLoraName(runId, checkpoint);
  const source = path.resolve(paths.root, checkpoint.file);
  const target = path.join(lorasFolder, ...name.split('/'));
  const [from, to] = await Promise.all([stat(source), stat(target).catch(() => undefined)]);
  if (to?.size === from.size) return name;
  await copyFileAtomic(source, target);
  return name;
}

/** Every checkpoint × prompt, checkpoint by checkpoint in step order, each as its own request. */
export function trialRequests(
  record: RunRecord,
  prompts: readonly TrialPrompt[],
  base: Omit<GenerationRequest, 'prompt' | 'negative' | 'seeds' | 'target' | 'lora' | 'template'>,
  loraOf: (checkpoint: CheckpointRecord) => string,
): Array<{ readonly checkpoint: CheckpointRecord; readonly promptIndex: number; readonly request: GenerationRequest }> {
  if (record.checkpoints.length === 0) throw new InvalidInputError(`${record.id} has saved no checkpoint yet: there is nothing to compare.`);
  if (prompts.length === 0) throw new InvalidInputError(`${record.id} has no test prompts: add sample prompts to the run's settings.`);
  return [...record.checkpoints]
    .sort((a, b) => a.step - b.step || Number(a.final) - Number(b.final))
    .flatMap((checkpoint) =>
      prompts.map((p, promptIndex) => ({
        checkpoint,
        promptIndex,
        request: {
          ...base,
          template: 'txt2img-lora',
          prompt: p.prompt,
          negative: p.negative,
          lora: { name: loraOf(checkpoint), strength: 1 },
          seeds: [p.seed],
          target: { kind: 'trial', runId: record.id, checkpoint: path.basename(checkpoint.file).replace(/\.safetensors$/i, ''), prompt: promptIndex },
        } satisfies GenerationRequest,
      })),
    );
}

/** trials.json read back: the record, or why it cannot be used. */
export type TrialsRead = { readonly record: TrialsRecord; readonly problem?: undefined } | { readonly record?: undefined; readonly problem: string };

/**
 * Reads `training/<run>/trials/trials.json`; undefined when there is none. A file that is not
 * JSON or not a comparison record gives `problem`, naming the file and the first thing wrong.
 */
export async function readTrials(paths: RunPaths): Promise<TrialsRead | undefined> {
  const file = path.join(paths.trials, trialsFileName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw error;
  }
  const where = `${runFolder(paths.runId)}/trials/${trialsFileName}`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { problem: `${where} is not valid JSON (${errorMessage(error)}).` };
  }
  const parsed = trialsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.map(String).join('.');
    return { problem: `${where} is not a checkpoint comparison record: ${at ? `${at}: ` : ''}${issue?.message ?? 'invalid'}.` };
  }
  return { record: parsed.data };
}

/** Records one finished test image; the comparison grid is read back from this after a reload. A trials.json that cannot be read is left as it is, and this throws. */
export async function recordTrialImage(paths: RunPaths, prompts: readonly TrialPrompt[], cell: TrialsRecord['cells'][number]): Promise<TrialsRecord> {
  const read = await readTrials(paths);
  if (read?.problem !== undefined) throw new InvalidInputError(`${read.problem} The test image ${cell.image} was not recorded in it: fix the file or delete it.`);
  const previous = read?.record;
  const samePrompts = previous && JSON.stringify(previous.prompts) === JSON.stringify(prompts);
  const cells = (samePrompts ? previous.cells : []).filter((c) => !(c.checkpoint === cell.checkpoint && c.promptIndex === cell.promptIndex));
  const record: TrialsRecord = { version: 1, prompts: [...prompts], cells: [...cells, cell] };
  await mkdir(paths.trials, { recursive: true });
  await writeFileAtomic(path.join(paths.trials, trialsFileName), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** What the panel shows of a run's comparison: nothing, the grid, or why trials.json cannot be used. */
export type StoredTrials = { readonly kind: 'none' } | { readonly kind: 'grid'; readonly grid: StoredTrialGrid } | { readonly kind: 'unreadable'; readonly problem: string };

/**
 * The comparison grid of a run as its folder holds it: trials.json, the images that are still
 * there, and the loss at each checkpoint. Reads only; a bad trials.json is reported, not replaced.
 */
export async function readStoredTrials(studioRoot: string, record: RunRecord, loss: readonly LossPoint[]): Promise<StoredTrials> {
  const read = await readTrials(runPaths(studioRoot, record.id));
  if (read === undefined) return { kind: 'none' };
  if (read.problem !== undefined) {
    return { kind: 'unreadable', problem: `${read.problem} The comparison grid cannot be shown: fix the file or delete it (its images stay in the trials folder), then generate the grid again.` };
  }
  const images = [...new Set(read.record.cells.map((c) => c.image))];
  const present = await mapLimited(images, (image) => isFile(path.resolve(studioRoot, image)));
  const existing = new Set(images.filter((_, i) => present[i]));
  const grid = storedTrialGrid(read.record, record, loss, (image) => existing.has(image));
  return grid ? { kind: 'grid', grid } : { kind: 'none' };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
