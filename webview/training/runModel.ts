import {
  type LossAppend,
  type RunRecordWire,
  type SampleView,
  type TrainingProgressWire,
  type TrainingRunBootstrap,
  type TrialGrid,
  type TrialImage,
  trainingLimits,
  trainingProtocol,
} from '../../src/shared/protocol/training';
import type { HostClient } from '../shared/hostConnection';
import { LossSeries } from './lossSeries';
import { formatDuration, formatLoss, formatSpeed, parseSeedList } from './numbers';

/** Log lines the panel shows; the log file has them all. */
export const logTailLines = 200;

export interface Status {
  readonly text: string;
  readonly error: boolean;
}

export interface RunFigures {
  readonly step: number;
  readonly total: number;
  /** 0 to 1. */
  readonly fraction: number;
  readonly speed: string;
  readonly eta: string;
  readonly averageLoss: string;
  readonly epoch: string;
}

const statusLabels: Record<RunRecordWire['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const causeLabels: Record<NonNullable<RunRecordWire['failure']>['cause'], string> = {
  'out-of-memory': 'Out of memory',
  'missing-base-model': 'Base model missing',
  'no-images': 'No training images',
  'bad-config': 'Invalid configuration',
  'missing-package': 'A Python package is missing',
  'no-final-file': 'No final LoRA file',
  'exit-code': 'The trainer stopped with an error',
  'could-not-start': 'The trainer could not start',
};

export function statusLabel(status: RunRecordWire['status']): string {
  return statusLabels[status];
}

export function causeLabel(cause: NonNullable<RunRecordWire['failure']>['cause']): string {
  return causeLabels[cause];
}

/** The grid's prompts at first: the run's sample prompts without sd-scripts' options (`--n`, `--d`…), at most four. */
export function defaultTrialPrompts(samplePrompts: readonly string[]): string[] {
  return samplePrompts
    .map((line) => line.split(/\s--\w/)[0]!.trim())
    .filter((line) => line !== '')
    .slice(0, 4);
}

/** The key of one cell of the comparison grid. */
export function trialKey(checkpoint: string, promptIndex: number, seed: number): string {
  return `${checkpoint}\n${promptIndex}\n${seed}`;
}

/**
 * One run as the panel shows it: its record, the live figures, the loss series, the log tail and
 * the comparison grid. The host owns the run; this model takes its notifications and sends the
 * user's actions. The loss series has its own listeners: the chart redraws without the page.
 */
export class RunModel {
  record: RunRecordWire;
  samples: readonly SampleView[];
  progress: TrainingProgressWire | null;
  live: boolean;
  readonly trusted: boolean;
  readonly loss = new LossSeries();
  log: string[];
  trials: TrialGrid | null;
  /** Images of the grid by `trialKey`. */
  readonly trialImages = new Map<string, string>();
  /** Cells, by `trialKey`, whose image the run's trials.json records but whose file is gone. */
  readonly missingTrials = new Set<string>();
  /** Why the run's saved comparison grid cannot be shown; cleared when a new grid starts. */
  trialsProblem: string | null;
  status: Status | null = null;
  /** Actions waiting for the host's answer, by name: their buttons wait too. */
  readonly pending = new Set<string>();
  /** The comparison grid's inputs as typed: one prompt a line, seeds separated by commas. */
  trialPromptsText: string;
  trialSeedsText = '42';
  /** The image shown large, if any; `file` (relative to the run folder) when it can be opened in an editor. */
  viewing: { readonly uri: string; readonly caption: string; readonly file: string | null } | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly lossListeners = new Set<() => void>();

  constructor(
    bootstrap: TrainingRunBootstrap,
    private readonly host: HostClient,
  ) {
    this.record = bootstrap.record;
    this.samples = bootstrap.samples;
    this.progress = bootstrap.progress;
    this.live = bootstrap.live;
    this.trusted = bootstrap.trusted;
    this.log = bootstrap.logTail.slice(-logTailLines);
    this.trials = bootstrap.trials;
    this.trialsProblem = bootstrap.trialsProblem;
    this.trialPromptsText = (bootstrap.trials?.prompts ?? defaultTrialPrompts(bootstrap.record.config.samplePrompts)).join('\n');
    if (bootstrap.trials) this.trialSeedsText = bootstrap.trials.seeds.join(', ');
    for (const image of bootstrap.trials?.images ?? []) this.trialImages.set(trialKey(image.checkpoint, image.promptIndex, image.seed), image.image);
    for (const cell of bootstrap.trials?.missing ?? []) this.missingTrials.add(trialKey(cell.checkpoint, cell.promptIndex, cell.seed));
    const { steps, losses, averages, total } = bootstrap.loss;
    this.loss.append(steps, losses, averages);
    this.loss.total = total;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after points were added to `loss`. */
  onLoss(listener: () => void): () => void {
    this.lossListeners.add(listener);
    return () => this.lossListeners.delete(listener);
  }

  get canCancel(): boolean {
    return this.live && (this.record.status === 'queued' || this.record.status === 'running') && !this.pending.has('cancel');
  }

  /** A failed or cancelled run that saved its state goes on from there, as a new run. */
  get canResume(): boolean {
    return !this.live && this.trusted && (this.record.status === 'failed' || this.record.status === 'cancelled') && this.record.resumeFrom !== null && !this.pending.has('resume');
  }

  get figures(): RunFigures {
    const progress = this.progress;
    const step = progress?.step ?? this.record.step;
    const total = progress?.total ?? this.record.totalSteps ?? this.record.config.maxTrainSteps;
    return {
      step,
      total,
      fraction: total > 0 ? Math.min(1, step / total) : 0,
      speed: formatSpeed(progress?.itPerSec ?? null),
      eta: this.live ? formatDuration(progress?.etaSec ?? null) : '—',
      averageLoss: formatLoss(progress?.averageLoss ?? this.lastAverage()),
      epoch: progress?.epoch != null ? (progress.epochs != null ? `${progress.epoch} / ${progress.epochs}` : String(progress.epoch)) : '—',
    };
  }

  recordChanged(record: RunRecordWire, samples: readonly SampleView[], live: boolean): void {
    this.record = record;
    this.samples = samples;
    this.live = live;
    this.changed();
  }

  progressChanged(progress: TrainingProgressWire): void {
    this.progress = progress;
    this.changed();
  }

  lossAppended(batch: LossAppend): void {
    if (this.loss.appendFrom(batch.from, batch.steps, batch.losses, batch.averages) > 0) for (const listener of [...this.lossListeners]) listener();
  }

  logAppended(lines: readonly string[]): void {
    this.log = this.log.concat(lines).slice(-logTailLines);
    this.changed();
  }

  trialImage(image: TrialImage): void {
    const key = trialKey(image.checkpoint, image.promptIndex, image.seed);
    this.trialImages.set(key, image.image);
    this.missingTrials.delete(key);
    this.changed();
  }

  trialsFinished(error: string | null, cancelled: boolean): void {
    if (this.trials) this.trials = { ...this.trials, running: false, error };
    if (error !== null) this.setStatus(error, true);
    else this.setStatus(cancelled ? 'The comparison grid was cancelled; the images made so far stay.' : 'The comparison grid is complete.', false);
  }

  async cancel(): Promise<void> {
    await this.act('cancel', async () => {
      await this.host.request(trainingProtocol.cancel, {});
      return 'Cancelling the training…';
    });
  }

  async resume(): Promise<void> {
    // With a run id, the host loads the new run into this panel.
    await this.act('resume', async () => {
      await this.host.request(trainingProtocol.resume, {});
      return 'Resuming…';
    });
  }

  async useCheckpoint(file: string): Promise<void> {
    await this.act(`use:${file}`, async () => (await this.host.request(trainingProtocol.useCheckpoint, { file })).message);
  }

  async reveal(path: string): Promise<void> {
    await this.act(`reveal:${path}`, async () => {
      await this.host.request(trainingProtocol.reveal, { path });
      return null;
    });
  }

  async openFile(path: string): Promise<void> {
    await this.act(`open:${path}`, async () => {
      await this.host.request(trainingProtocol.open, { path });
      return null;
    });
  }

  setTrialInputs(change: { prompts?: string; seeds?: string }): void {
    if (change.prompts !== undefined) this.trialPromptsText = change.prompts;
    if (change.seeds !== undefined) this.trialSeedsText = change.seeds;
    this.changed();
  }

  /** Starts the comparison grid with the prompts and seeds as typed. */
  async runTrialsFromInputs(): Promise<void> {
    const prompts = this.trialPromptsText
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '');
    const { seeds, error } = parseSeedList(this.trialSeedsText);
    if (error !== null) {
      this.setStatus(error, true);
      return;
    }
    if (prompts.length > trainingLimits.trialPrompts) {
      this.setStatus(`The grid takes at most ${trainingLimits.trialPrompts} prompts.`, true);
      return;
    }
    if (seeds.length > trainingLimits.trialSeeds) {
      this.setStatus(`The grid takes at most ${trainingLimits.trialSeeds} seeds.`, true);
      return;
    }
    await this.runTrials(prompts, seeds);
  }

  /** Starts the comparison grid over every checkpoint of the run. */
  async runTrials(prompts: readonly string[], seeds: readonly number[]): Promise<void> {
    const checkpoints = this.record.checkpoints.map((c) => c.file);
    if (checkpoints.length === 0) {
      this.setStatus('This run has no checkpoints to compare yet.', true);
      return;
    }
    if (prompts.length === 0 || seeds.length === 0) {
      this.setStatus('Give at least one prompt and one seed for the comparison grid.', true);
      return;
    }
    await this.act('trials', async () => {
      const grid = await this.host.request(trainingProtocol.runTrials, { checkpoints, prompts: [...prompts], seeds: [...seeds] });
      this.trials = grid;
      this.trialsProblem = null;
      this.trialImages.clear();
      this.missingTrials.clear();
      for (const cell of grid.missing) this.missingTrials.add(trialKey(cell.checkpoint, cell.promptIndex, cell.seed));
      for (const image of grid.images) this.trialImages.set(trialKey(image.checkpoint, image.promptIndex, image.seed), image.image);
      return `Generating ${grid.checkpoints.length * grid.prompts.length * grid.seeds.length} test images…`;
    });
  }

  cancelTrials(): void {
    if (!this.trials?.running) return;
    this.host.command(trainingProtocol.cancelTrials, {});
    this.setStatus('Cancelling the comparison grid…', false);
  }

  view(uri: string, caption: string, file: string | null = null): void {
    this.viewing = { uri, caption, file };
    this.changed();
  }

  closeView(): void {
    if (this.viewing === null) return;
    this.viewing = null;
    this.changed();
  }

  private async act(name: string, work: () => Promise<string | null>): Promise<void> {
    if (this.pending.has(name)) return;
    this.pending.add(name);
    this.changed();
    try {
      const message = await work();
      if (message !== null) this.status = { text: message, error: false };
    } catch (error) {
      this.status = { text: error instanceof Error ? error.message : String(error), error: true };
    } finally {
      this.pending.delete(name);
      this.changed();
    }
  }

  private setStatus(text: string, error: boolean): void {
    this.status = { text, error };
    this.changed();
  }

  private lastAverage(): number | null {
    for (let i = this.loss.length - 1; i >= 0; i--) {
      const value = this.loss.averages[i]!;
      if (!Number.isNaN(value)) return value;
    }
    return null;
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
