import type { EventLike } from '../util/emitter';
import type { LossPoint, RunRecord, TrainingProgress } from './model';

/**
 * A training run as the panel, the tree and the status bar see it while it runs. A finished run
 * is read back from its folder instead (`readRun`, `readLoss`, `readLogTail` in runFolder.ts).
 */
export interface TrainingJob {
  readonly runId: string;
  /** Absolute path of `training/<run>/`. */
  readonly folder: string;
  record(): RunRecord;
  progress(): TrainingProgress | null;
  /** The loss so far: per step from TensorBoard when the run logs it, else one point per bar update. */
  loss(): readonly LossPoint[];
  /** The last lines of the trainer's output, bar redraws collapsed. */
  logTail(lines?: number): readonly string[];
  readonly onDidChangeRecord: EventLike<RunRecord>;
  readonly onDidChangeProgress: EventLike<TrainingProgress>;
  /** New loss points only, in step order. */
  readonly onLoss: EventLike<readonly LossPoint[]>;
  /** New complete log lines only. */
  readonly onLog: EventLike<readonly string[]>;
  /** Kills the whole process tree; the run ends `cancelled`. */
  cancel(): Promise<void>;
  /** Resolves with the final record, whatever the outcome. */
  readonly finished: Promise<RunRecord>;
}
