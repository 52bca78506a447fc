import path from 'node:path';
import { trainingLimits } from '../../shared/protocol/training';
import type { TrialsRecord } from './checkpointTrials';
import type { CheckpointRecord, LossPoint, RunRecord } from './model';
import { runFolder } from './runFolder';

/** One recorded test image, placed in the grid. */
export interface StoredTrialCell {
  /** The checkpoint's file, relative to the run folder (as the run record names it). */
  readonly checkpoint: string;
  /** Index into the grid's `prompts`. */
  readonly promptIndex: number;
  readonly seed: number;
  /** The image, relative to the run folder. */
  readonly file: string;
}

/**
 * The comparison grid as trials.json and the run record describe it, in the shape the panel
 * draws: one row a checkpoint, one column each prompt with each seed.
 */
export interface StoredTrialGrid {
  /** Every checkpoint of the run, in the record's order: a checkpoint without images is a row of cells not made. */
  readonly checkpoints: readonly string[];
  /** The loss at each of `checkpoints`, same order; null when unknown. */
  readonly losses: ReadonlyArray<number | null>;
  /** The prompts as sample prompt lines (`text --n negative`). */
  readonly prompts: readonly string[];
  readonly seeds: readonly number[];
  /** Images whose file is there. */
  readonly images: readonly StoredTrialCell[];
  /** Images trials.json records whose file is gone (or lies outside the run folder). */
  readonly missing: readonly StoredTrialCell[];
}

/** A test prompt as one sample prompt line: what the grid's prompt box shows and parseSamplePrompt reads back. */
export function samplePromptLine(prompt: { readonly prompt: string; readonly negative: string }): string {
  const text = prompt.prompt.trim();
  const negative = prompt.negative.trim();
  return negative === '' ? text : `${text} --n ${negative}`;
}

/**
 * The loss to show for a checkpoint: the one the run recorded when it was saved, else the last
 * moving average (or loss) of the series at or before its step. Null when neither is known.
 */
export function checkpointLoss(checkpoint: Pick<CheckpointRecord, 'step' | 'loss'>, loss: readonly LossPoint[]): number | null {
  if (checkpoint.loss !== null && Number.isFinite(checkpoint.loss)) return checkpoint.loss;
  let at: LossPoint | undefined;
  for (const point of loss) {
    if (point.step > checkpoint.step) break;
    at = point;
  }
  const value = at ? (at.average ?? at.loss) : null;
  return value !== null && Number.isFinite(value) ? value : null;
}

/**
 * Builds the grid from trials.json and the run record. trials.json keeps each test prompt with
 * its seed (every prompt line times every seed); the grid's prompts and seeds are the distinct
 * ones in the order first met, so a grid made as prompts × seeds comes back as it was made.
 * Cells naming a checkpoint the record lacks, or a prompt the record does not hold, are left
 * out; `imageExists` takes the studio-relative path trials.json names. Undefined when no cell
 * can be placed: there is no grid to show.
 */
export function storedTrialGrid(
  trials: TrialsRecord,
  record: RunRecord,
  loss: readonly LossPoint[],
  imageExists: (image: string) => boolean,
): StoredTrialGrid | undefined {
  const checkpoints = record.checkpoints.slice(-trainingLimits.checkpoints);
  const known = new Set(checkpoints.map((c) => c.file));
  const prompts: string[] = [];
  const seeds: number[] = [];
  const columnOf = trials.prompts.map((entry) => {
    const line = clip(samplePromptLine(entry), trainingLimits.prompt);
    if (line === '') return undefined;
    let promptIndex = prompts.indexOf(line);
    if (promptIndex === -1 && prompts.length < trainingLimits.trialPrompts) promptIndex = prompts.push(line) - 1;
    if (!seeds.includes(entry.seed) && seeds.length < trainingLimits.trialSeeds) seeds.push(entry.seed);
    return promptIndex === -1 || !seeds.includes(entry.seed) ? undefined : { promptIndex, seed: entry.seed };
  });
  // A later record of the same cell (the grid made again) replaces an earlier one.
  const cells = new Map<string, StoredTrialCell & { readonly exists: boolean }>();
  const inRun = `${runFolder(record.id)}/`;
  for (const cell of trials.cells) {
    const column = columnOf[cell.promptIndex];
    if (column === undefined || !known.has(cell.checkpoint)) continue;
    const image = path.posix.normalize(cell.image.replace(/\\/g, '/'));
    const inside = image.startsWith(inRun) && image.length > inRun.length;
    const file = inside ? image.slice(inRun.length) : image;
    cells.set(`${cell.checkpoint}\n${column.promptIndex}\n${column.seed}`, { checkpoint: cell.checkpoint, ...column, file, exists: inside && imageExists(cell.image) });
  }
  if (cells.size === 0) return undefined;
  const images: StoredTrialCell[] = [];
  const missing: StoredTrialCell[] = [];
  for (const { exists, ...cell } of cells.values()) {
    const list = exists ? images : missing;
    if (list.length < trainingLimits.trialImages) list.push(cell);
  }
  return {
    checkpoints: checkpoints.map((c) => c.file),
    losses: checkpoints.map((c) => checkpointLoss(c, loss)),
    prompts,
    seeds,
    images,
    missing,
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
