import path from 'node:path';
import * as vscode from 'vscode';
import type { StoredTrials } from '../../core/training/checkpointTrials';
import type { LossPoint, RunRecord, TrainingConfig, TrainingProgress } from '../../core/training/model';
import { checkpointLoss } from '../../core/training/trialGrid';
import type { TrainingJob } from '../../core/training/trainingJob';
import { DisposableStore } from '../../core/util/disposable';
import { errorMessage, InvalidInputError, isCancellation } from '../../core/util/errors';
import type { Logger } from '../../core/util/logger';
import {
  type FieldProblem,
  type RunRecordWire,
  type SampleView,
  type TrainingBootstrap,
  type TrainingConfigWire,
  type TrainingPreset,
  type TrialGrid,
  trainingLimits,
  trainingProtocol,
  trainingViewStateSchema,
} from '../../shared/protocol/training';
import { lossSnapshot, toLossArrays } from '../../shared/training/lossArrays';
import { type Handler, onCommand, onRequest, PanelHost } from './panelHost';

/** A run read back from its folder (run.json, the loss series, the end of the log). */
export interface StoredRun {
  readonly record: RunRecord;
  readonly loss: readonly LossPoint[];
  readonly logTail: readonly string[];
}

/** The comparison grid to make: every prompt with every seed, once per checkpoint (files relative to the run folder). */
export interface TrialRequest {
  readonly runId: string;
  readonly checkpoints: readonly string[];
  readonly prompts: readonly string[];
  readonly seeds: readonly number[];
}

/** One image of the grid, made. `file` is absolute and must lie inside the run folder, the only folder the panel may show images from. */
export interface TrialResult {
  readonly checkpoint: string;
  readonly promptIndex: number;
  readonly seed: number;
  readonly file: string;
}

/**
 * What the training panel needs from the rest of the extension; the training controller
 * implements it. Errors meant for the user are AppErrors: the panel shows their message where
 * the user acted (under Start, in the status line), and logs the rest.
 */
export interface TrainingPanelServices {
  readonly logger: Logger;
  readonly extensionUri: vscode.Uri;
  /** `training/<run>/`, absolute, for a run id; the panel shows files and images from there only. */
  runFolder(runId: string): string;
  /** Everything wrong with a config, per field (`''` for the config as a whole); it may look at the disk (the base model). */
  validate(config: TrainingConfig): Promise<readonly FieldProblem[]>;
  /** Launches a run; throws an AppError when it cannot (another run active, the dataset has errors). */
  start(config: TrainingConfig): Promise<TrainingJob>;
  /** Continues a failed or cancelled run from its saved state, as a new run. */
  resume(runId: string): Promise<TrainingJob>;
  /** The run's job while it runs in this window. */
  liveJob(runId: string): TrainingJob | undefined;
  /** A run from its folder; undefined when there is no such run. */
  readRun(runId: string): Promise<StoredRun | undefined>;
  /** The run's comparison grid as its trials.json and images are now; only reads. */
  readTrials(record: RunRecord, loss: readonly LossPoint[]): Promise<StoredTrials>;
  /** Generates the grid, calling `onImage` as each image is ready; rejects with why it stopped; honours `signal`. */
  runTrials(request: TrialRequest, onImage: (image: TrialResult) => void, signal: AbortSignal): Promise<void>;
  /** Makes a checkpoint of the run the character's LoRA; answers with the record as it is now (with `chosen`). */
  useCheckpoint(runId: string, file: string): Promise<RunRecord>;
}

/** What the form of a new run starts from. */
export interface TrainingForm {
  readonly datasetId: string;
  readonly character: { readonly id: string; readonly name: string } | null;
  /** The presets, each saying whether it fits the hardware profile. */
  readonly presets: readonly TrainingPreset[];
  /** The dataset's defaults. */
  readonly config: TrainingConfig;
  /** The hardware profile's name, `Apple M1, 16 GB`. */
  readonly hardware: string;
}

export type TrainingPanelTarget = { readonly kind: 'form'; readonly form: TrainingForm } | { readonly kind: 'run'; readonly runId: string };

/** Loss points, log lines and progress within this time reach the webview in one message each. */
const streamBatchMs = 100;
const logTailLines = 200;

interface ShownRun {
  readonly runId: string;
  readonly folder: string;
  /** The run's job when it runs in this window; its record and series are the live ones. */
  readonly job: TrainingJob | undefined;
  /** The run as read from its folder, when there is no job. */
  stored: StoredRun | undefined;
  live: boolean;
  /** The comparison grid the run's folder held when it was loaded. */
  readonly trials: StoredTrials;
  readonly disposables: DisposableStore;
}

/**
 * The training panel: the form of a new run, then that run (or any run, after a reload) with its
 * live figures, loss, log, checkpoints and samples, and the checkpoint comparison grid. A running
 * job's events are batched every 100 ms, so a fast trainer does not flood the webview; a hidden
 * webview gets nothing (it is destroyed) and a full snapshot in its bootstrap when shown again.
 */
export class TrainingPanel extends PanelHost {
  private form: TrainingForm | undefined;
  private run: ShownRun | undefined;
  private trials: TrialGrid | null = null;
  private trialsProblem: string | null = null;
  private trialsAbort: AbortController | undefined;
  /** Points of the loss series the webview has (or was bootstrapped with); pending ones follow. */
  private lossSent = 0;
  private pendingLoss: LossPoint[] = [];
  private pendingLog: string[] = [];
  private pendingProgress: TrainingProgress | undefined;
  private flushTimer: NodeJS.Timeout | undefined;

  /** Opens the form, or a run by id (its live job, else its folder); throws InvalidInputError when the run is not found. */
  static async create(panel: vscode.WebviewPanel, services: TrainingPanelServices, target: TrainingPanelTarget): Promise<TrainingPanel> {
    if (target.kind === 'form') return new TrainingPanel(panel, services, target.form, undefined);
    const shown = await loadRun(services, target.runId);
    return new TrainingPanel(panel, services, undefined, shown);
  }

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly services: TrainingPanelServices,
    form: TrainingForm | undefined,
    run: ShownRun | undefined,
  ) {
    super(panel, {
      extensionUri: services.extensionUri,
      entry: 'training',
      title: 'Training',
      logger: services.logger,
      resourceRoots: run ? [vscode.Uri.file(run.folder)] : [],
    });
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'studionova.svg');
    this.disposables.add({
      dispose: () => {
        clearTimeout(this.flushTimer);
        this.trialsAbort?.abort();
        this.run?.disposables.dispose();
      },
    });
    this.form = form;
    if (run) this.attach(run);
    else this.panel.title = `Train: ${form!.datasetId}`;
    this.render();
  }

  /** The run shown, if any. */
  get runId(): string | undefined {
    return this.run?.runId;
  }

  /** Shows a run in this panel (from the tree, or a run started elsewhere). */
  async showRun(runId: string): Promise<void> {
    if (this.run?.runId === runId) {
      this.panel.reveal();
      return;
    }
    this.switchTo(await loadRun(this.services, runId));
  }

  protected handlers(): Handler[] {
    return [
      onRequest(trainingProtocol.validate, async ({ config }) => ({ problems: clipProblems(await this.services.validate(config)) })),
      onRequest(trainingProtocol.start, ({ config }) => this.start(config)),
      onRequest(trainingProtocol.cancel, async () => {
        const run = this.requireRun();
        if (!run.job || !run.live) throw new InvalidInputError('This run is not running in this window: there is nothing to cancel.');
        await run.job.cancel();
        return {};
      }),
      onRequest(trainingProtocol.resume, async () => {
        requireTrust();
        const job = await this.services.resume(this.requireRun().runId);
        this.showJobSoon(job);
        return { runId: job.runId };
      }),
      onRequest(trainingProtocol.runTrials, (params) => this.startTrials(params)),
      onCommand(trainingProtocol.cancelTrials, () => this.trialsAbort?.abort()),
      onRequest(trainingProtocol.useCheckpoint, async ({ file }) => {
        requireTrust();
        const run = this.requireRun();
        const checkpoint = this.checkpointOf(run, file);
        const record = await this.services.useCheckpoint(run.runId, checkpoint);
        if (run.stored) run.stored = { ...run.stored, record };
        this.sendRecord(record);
        const lora = record.chosen?.lora;
        return { message: `${path.posix.basename(checkpoint)} is now the character’s LoRA${lora ? ` (${lora})` : ''}.` };
      }),
      onRequest(trainingProtocol.reveal, async ({ path: relative }) => {
        await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(this.fileOf(relative)));
        return {};
      }),
      onRequest(trainingProtocol.open, async ({ path: relative }) => {
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(this.fileOf(relative)));
        return {};
      }),
    ];
  }

  protected bootstrap(): TrainingBootstrap {
    const trusted = vscode.workspace.isTrusted;
    const run = this.run;
    if (!run) {
      const form = this.form!;
      return { mode: 'form', datasetId: form.datasetId, character: form.character, presets: [...form.presets], config: wireConfig(form.config), hardware: form.hardware, trusted };
    }
    const { record, loss, logTail, progress } = current(run);
    // The webview starts from this snapshot: what was waiting to be sent is in it.
    this.lossSent = loss.length;
    this.pendingLoss = [];
    this.pendingLog = [];
    this.pendingProgress = undefined;
    return {
      mode: 'run',
      record: wireRecord(record),
      samples: this.sampleViews(run, record),
      loss: lossSnapshot(loss, trainingLimits.lossPoints),
      progress,
      logTail: clipLines(logTail.slice(-logTailLines)),
      live: run.live,
      trials: this.trials,
      trialsProblem: this.trialsProblem,
      trusted,
    };
  }

  private async start(config: TrainingConfig): Promise<{ runId: string | null; problems: FieldProblem[] }> {
    requireTrust();
    if (this.run) throw new InvalidInputError('This panel shows a run already; start a new one from its dataset.');
    const problems = clipProblems(await this.services.validate(config));
    if (problems.some((p) => p.severity === 'error')) return { runId: null, problems };
    const job = await this.services.start(config);
    this.showJobSoon(job);
    return { runId: job.runId, problems };
  }

  /** Shows the job once the reply that started it has gone to the webview, which the new page replaces. */
  private showJobSoon(job: TrainingJob): void {
    setTimeout(() => {
      if (!this.isDisposed) this.switchTo(shownJob(job));
    }, 0);
  }

  private switchTo(run: ShownRun): void {
    this.run?.disposables.dispose();
    this.trialsAbort?.abort();
    this.trialsAbort = undefined;
    this.form = undefined;
    this.attach(run);
    this.setResourceRoots([vscode.Uri.file(run.folder)]);
    this.render();
    this.panel.reveal();
  }

  private attach(run: ShownRun): void {
    this.run = run;
    this.restoreTrials(run);
    const record = current(run).record;
    this.panel.title = `Training: ${record.config.outputName || run.runId}`;
    const job = run.job;
    if (!job) return;
    run.disposables.add(job.onLoss((points) => this.queue(() => this.pendingLoss.push(...points))));
    run.disposables.add(job.onLog((lines) => this.queue(() => this.pendingLog.push(...lines))));
    run.disposables.add(job.onDidChangeProgress((progress) => this.queue(() => (this.pendingProgress = progress))));
    run.disposables.add(
      job.onDidChangeRecord((next) => {
        if (this.run !== run) return;
        this.flush();
        this.sendRecord(next);
      }),
    );
    let ended = false;
    run.disposables.add({ dispose: () => (ended = true) });
    void job.finished.then(
      (final) => {
        if (ended || this.run !== run) return;
        run.live = false;
        this.flush();
        this.sendRecord(final);
      },
      (error: unknown) => this.services.logger.warn(`Training ${run.runId}: ${errorMessage(error)}`),
    );
  }

  private queue(add: () => void): void {
    add();
    this.flushTimer ??= setTimeout(() => this.flush(), streamBatchMs);
  }

  /** Sends what accumulated; a hidden webview gets nothing, and a full snapshot when shown. */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const loss = this.pendingLoss;
    const lines = this.pendingLog;
    const progress = this.pendingProgress;
    this.pendingLoss = [];
    this.pendingLog = [];
    this.pendingProgress = undefined;
    const from = this.lossSent;
    this.lossSent += loss.length;
    if (!this.panel.visible || this.isDisposed) return;
    for (let at = 0; at < loss.length; at += trainingLimits.lossPoints) {
      const to = Math.min(loss.length, at + trainingLimits.lossPoints);
      this.notify(trainingProtocol.lossAppended, { from: from + at, ...toLossArrays(loss, at, to) });
    }
    const tail = clipLines(lines.slice(-logTailLines));
    if (tail.length > 0) this.notify(trainingProtocol.logAppended, { lines: tail });
    if (progress) this.notify(trainingProtocol.progress, { progress });
  }

  private sendRecord(record: RunRecord): void {
    const run = this.run;
    if (!run || !this.panel.visible || this.isDisposed) return;
    this.panel.title = `Training: ${record.config.outputName || run.runId}`;
    this.notify(trainingProtocol.recordChanged, { record: wireRecord(record), samples: this.sampleViews(run, record), live: run.live });
  }

  private startTrials(params: { checkpoints: string[]; prompts: string[]; seeds: number[] }): TrialGrid {
    requireTrust();
    const run = this.requireRun();
    if (this.trials?.running) throw new InvalidInputError('A comparison grid is being made already; cancel it first to start another.');
    const checkpoints = params.checkpoints.map((file) => this.checkpointOf(run, file));
    const { record, loss } = current(run);
    const losses = checkpoints.map((file) => checkpointLoss(record.checkpoints.find((c) => c.file === file)!, loss));
    const images: TrialGrid['images'] = [];
    const grid: TrialGrid = { checkpoints, losses, prompts: params.prompts, seeds: params.seeds, images, missing: [], running: true, error: null };
    this.trials = grid;
    this.trialsProblem = null;
    const abort = new AbortController();
    this.trialsAbort = abort;
    // Another grid or another run replaced this one: what it still reports is dropped.
    const replaced = (): boolean => this.trialsAbort !== abort || this.isDisposed;
    const onImage = (image: TrialResult): void => {
      if (replaced()) return;
      const uri = this.imageUri(run, image.file);
      if (uri === undefined) {
        this.services.logger.warn(`Training ${run.runId}: a test image outside the run folder was not shown: ${image.file}`);
        return;
      }
      const shown = { checkpoint: image.checkpoint, promptIndex: image.promptIndex, seed: image.seed, image: uri };
      images.push(shown);
      if (this.panel.visible) this.notify(trainingProtocol.trialImage, shown);
    };
    const finished = (error: string | null, cancelled: boolean): void => {
      if (replaced()) return;
      this.trialsAbort = undefined;
      this.trials = { ...grid, running: false, error };
      if (this.panel.visible) this.notify(trainingProtocol.trialsFinished, { error, cancelled });
    };
    this.services.runTrials({ runId: run.runId, checkpoints, prompts: params.prompts, seeds: params.seeds }, onImage, abort.signal).then(
      () => finished(null, abort.signal.aborted),
      (error: unknown) => {
        if (abort.signal.aborted || isCancellation(error)) finished(null, true);
        else {
          this.services.logger.warn(`Training ${run.runId}: the comparison grid stopped: ${errorMessage(error)}`);
          finished(errorMessage(error), false);
        }
      },
    );
    return grid;
  }

  /** The grid read back from the run's folder: images as webview URIs, or why it cannot be shown. */
  private restoreTrials(run: ShownRun): void {
    this.trials = null;
    this.trialsProblem = null;
    if (run.trials.kind === 'unreadable') this.trialsProblem = clip(run.trials.problem, trainingLimits.message);
    if (run.trials.kind !== 'grid') return;
    const stored = run.trials.grid;
    const images: TrialGrid['images'] = [];
    const missing: TrialGrid['missing'] = stored.missing.map(({ checkpoint, promptIndex, seed }) => ({ checkpoint, promptIndex, seed }));
    for (const { file, ...cell } of stored.images) {
      const uri = this.imageUri(run, file);
      if (uri === undefined) missing.push(cell);
      else images.push({ ...cell, image: uri });
    }
    this.trials = { checkpoints: [...stored.checkpoints], losses: [...stored.losses], prompts: [...stored.prompts], seeds: [...stored.seeds], images, missing, running: false, error: null };
  }

  private requireRun(): ShownRun {
    if (!this.run) throw new InvalidInputError('Start the training first.');
    return this.run;
  }

  /** A checkpoint file the webview named, checked against the run's record. */
  private checkpointOf(run: ShownRun, file: string): string {
    if (!current(run).record.checkpoints.some((c) => c.file === file)) throw new InvalidInputError(`${file} is not a checkpoint of run ${run.runId}.`);
    return file;
  }

  /** A path the webview named, relative to the run folder; refused unless it stays inside. */
  private fileOf(relative: string): string {
    const run = this.requireRun();
    const file = path.resolve(run.folder, relative);
    if (!isInside(run.folder, file)) throw new InvalidInputError(`${relative} is not a file of run ${run.runId}.`);
    return file;
  }

  private imageUri(run: ShownRun, file: string): string | undefined {
    const absolute = path.resolve(run.folder, file);
    return isInside(run.folder, absolute) ? this.panel.webview.asWebviewUri(vscode.Uri.file(absolute)).toString() : undefined;
  }

  private sampleViews(run: ShownRun, record: RunRecord): SampleView[] {
    return record.samples.slice(-trainingLimits.samples).flatMap((sample) => {
      const uri = this.imageUri(run, sample.file);
      return uri === undefined ? [] : [{ file: clip(sample.file, trainingLimits.path), step: sample.step, promptIndex: sample.promptIndex, uri }];
    });
  }
}

/** The run's id from a webview's saved state (the serializer's), if it showed a run. */
export function restoredRunId(state: unknown): string | undefined {
  const parsed = trainingViewStateSchema.safeParse(state);
  return parsed.success ? (parsed.data.runId ?? undefined) : undefined;
}

async function loadRun(services: TrainingPanelServices, runId: string): Promise<ShownRun> {
  const job = services.liveJob(runId);
  if (job) return shownJob(job, await readTrialsOf(services, runId, job.record(), job.loss()));
  const stored = await services.readRun(runId);
  if (!stored) throw new InvalidInputError(`There is no training run ${runId}: its folder is gone or has no run.json.`);
  const trials = await readTrialsOf(services, runId, stored.record, stored.loss);
  return { runId, folder: services.runFolder(runId), job: undefined, stored, live: false, trials, disposables: new DisposableStore() };
}

/** The grid is an extra: a folder that cannot be read shows the run without it, and says why. */
async function readTrialsOf(services: TrainingPanelServices, runId: string, record: RunRecord, loss: readonly LossPoint[]): Promise<StoredTrials> {
  try {
    return await services.readTrials(record, loss);
  } catch (error) {
    services.logger.warn(`Training ${runId}: the comparison grid could not be read: ${errorMessage(error)}`);
    return { kind: 'unreadable', problem: `The comparison grid could not be read: ${errorMessage(error)}` };
  }
}

/** A job started in this panel: a new run, with no comparison yet. */
function shownJob(job: TrainingJob, trials: StoredTrials = { kind: 'none' }): ShownRun {
  const status = job.record().status;
  return { runId: job.runId, folder: job.folder, job, stored: undefined, live: status === 'queued' || status === 'running', trials, disposables: new DisposableStore() };
}

function current(run: ShownRun): { record: RunRecord; loss: readonly LossPoint[]; logTail: readonly string[]; progress: TrainingProgress | null } {
  if (run.job) return { record: run.job.record(), loss: run.job.loss(), logTail: run.job.logTail(logTailLines), progress: run.live ? run.job.progress() : null };
  const stored = run.stored!;
  return { record: stored.record, loss: stored.loss, logTail: stored.logTail, progress: null };
}

function requireTrust(): void {
  if (!vscode.workspace.isTrusted) throw new InvalidInputError('This folder is not trusted: StudioNOVA starts no training here. Trust the folder to train.');
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(path.resolve(folder), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function clipLines(lines: readonly string[]): string[] {
  return lines.slice(-trainingLimits.logLines).map((line) => clip(line, trainingLimits.logLineLength));
}

function clipProblems(problems: readonly FieldProblem[]): FieldProblem[] {
  return problems.slice(0, trainingLimits.problems).map((p) => ({ field: clip(p.field, trainingLimits.name), message: clip(p.message, trainingLimits.message), severity: p.severity }));
}

/** The config as the protocol carries it: copied, within its bounds. */
function wireConfig(config: TrainingConfig): TrainingConfigWire {
  return { ...config, samplePrompts: config.samplePrompts.slice(0, trainingLimits.samplePrompts).map((line) => clip(line, trainingLimits.prompt)) };
}

/** The record as the protocol carries it: copied, long texts (a failure's stderr) clipped to the protocol's bounds. */
function wireRecord(record: RunRecord): RunRecordWire {
  return {
    ...record,
    config: wireConfig(record.config),
    command: record.command && { ...record.command, args: record.command.args.slice(0, trainingLimits.commandArgs).map((arg) => clip(arg, trainingLimits.path)) },
    checkpoints: record.checkpoints.slice(-trainingLimits.checkpoints).map((c) => ({ ...c })),
    samples: record.samples.slice(-trainingLimits.samples).map((s) => ({ ...s })),
    failure: record.failure && { cause: record.failure.cause, message: clip(record.failure.message, trainingLimits.message) },
    chosen: record.chosen && { ...record.chosen },
  };
}
