import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ChildRun, type ChildExit } from '../process/childRun';
import { type Clock, systemClock } from '../process/clock';
import { killTree as systemKillTree, type KillTree } from '../process/killTree';
import { LogRing, type LogLine } from '../process/logRing';
import type { ChildProcessLike } from '../process/spawn';
import type { DisposableLike } from '../util/disposable';
import { Emitter } from '../util/emitter';
import { errorMessage } from '../util/errors';
import type { Logger } from '../util/logger';
import { failureAdvice } from './failureAdvice';
import { KohyaLogParser } from './kohyaLog';
import type { CheckpointRecord, FailureCause, KohyaEvent, LossPoint, RunRecord, SampleRecord, TrainingProgress } from './model';
import { appendLog, appendLoss, checkpointStep, latestStateFolder, type RunPaths, sampleImageOf, writeRun } from './runFolder';
import { lossPointsFrom, TensorBoardScalars } from './tensorboardEvents';
import type { TrainingJob } from './trainingJob';

export interface RunningTrainingOptions {
  readonly studioRoot: string;
  readonly paths: RunPaths;
  readonly record: RunRecord;
  readonly child: ChildProcessLike;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly killTree?: KillTree;
  /** How often the run folder is polled for TensorBoard events and sample images. Default 1000 ms. */
  readonly pollMs?: number;
}

/** A checkpoint is recorded once its size stops changing: sd-scripts announces it before writing it. */
const settleMs = 250;
/** run.json is rewritten at most this often for step updates; state changes are written at once. */
const recordWriteMs = 2000;
/** After SIGTERM, the tree gets this long before SIGKILL. */
const killGraceMs = 5000;
const logKeep = 400;

/**
 * One training process from launch to its end, as a `TrainingJob`. Reads the trainer's output
 * line by line (bar redraws included), keeps the run folder's run.json, train.log and loss.tsv
 * up to date, records checkpoints once written and sample images as they appear, and decides the
 * outcome from "model saved." and the final file, never from the exit code alone (sd-scripts
 * exits 0 when it found no images).
 */
export class RunningTraining implements TrainingJob, DisposableLike {
  readonly runId: string;
  readonly folder: string;
  readonly finished: Promise<RunRecord>;

  private readonly changedRecord = new Emitter<RunRecord>();
  private readonly changedProgress = new Emitter<TrainingProgress>();
  private readonly lossEmitter = new Emitter<readonly LossPoint[]>();
  private readonly logEmitter = new Emitter<readonly string[]>();
  readonly onDidChangeRecord = this.changedRecord.event;
  readonly onDidChangeProgress = this.changedProgress.event;
  readonly onLoss = this.lossEmitter.event;
  readonly onLog = this.logEmitter.event;

  private current: RunRecord;
  private latest: TrainingProgress | null = null;
  private readonly lossPoints: LossPoint[] = [];
  private readonly tail: string[] = [];
  private readonly parser = new KohyaLogParser();
  private readonly run: ChildRun;
  private readonly clock: Clock;
  private readonly killTree: KillTree;
  private readonly tensorboard: TensorBoardScalars | undefined;
  private readonly poller: ReturnType<typeof setInterval>;
  private pendingLog: string[] = [];
  private pendingLoss: LossPoint[] = [];
  private modelSaved = false;
  private cancelRequested = false;
  private firstStep: { step: number; at: number } | undefined;
  private epoch: { epoch: number; epochs: number } | undefined;
  private lastRecordWrite = 0;
  private writing: Promise<void> = Promise.resolve();
  private checkpointWaits: Promise<void>[] = [];

  constructor(private readonly options: RunningTrainingOptions) {
    this.runId = options.record.id;
    this.folder = options.paths.root;
    this.clock = options.clock ?? systemClock;
    this.killTree = options.killTree ?? systemKillTree;
    this.current = { ...options.record, status: 'running', startedAt: new Date().toISOString() };
    this.tensorboard = options.record.config.tensorboard ? new TensorBoardScalars(options.paths.logs) : undefined;
    this.run = new ChildRun(options.child, new LogRing({ maxLines: logKeep }), {
      onLine: (line) => this.onLine(line),
      afterExit: (exit) => this.sweep(exit),
      onError: (error) => options.logger.warn(`Training ${this.runId}: ${error.message}`),
    }, this.clock, 2000);
    this.poller = setInterval(() => void this.poll(), options.pollMs ?? 1000);
    this.persist(true);
    this.finished = this.run.exited.then((exit) => this.end(exit));
  }

  record(): RunRecord {
    return this.current;
  }

  progress(): TrainingProgress | null {
    return this.latest;
  }

  loss(): readonly LossPoint[] {
    return this.lossPoints;
  }

  logTail(lines = 200): readonly string[] {
    return this.tail.slice(-lines);
  }

  async cancel(): Promise<void> {
    if (this.run.exit || this.cancelRequested) return this.finished.then(() => undefined);
    this.cancelRequested = true;
    const pid = this.run.pid;
    if (pid !== undefined) {
      await this.killTree(pid, 'SIGTERM').catch((error: unknown) => this.options.logger.warn(`Cancel ${this.runId}: ${errorMessage(error)}`));
      const grace = this.clock.setTimeout(() => void this.killTree(pid, 'SIGKILL', { leaderExited: Boolean(this.run.exit) }).catch(() => undefined), killGraceMs);
      await this.finished;
      grace.dispose();
    }
  }

  dispose(): void {
    clearInterval(this.poller);
    this.changedRecord.dispose();
    this.changedProgress.dispose();
    this.lossEmitter.dispose();
    this.logEmitter.dispose();
  }

  private onLine(line: LogLine): void {
    if (!line.progress && line.line.trim() !== '') {
      this.pendingLog.push(line.line);
      this.tail.push(line.line);
      if (this.tail.length > logKeep) this.tail.splice(0, this.tail.length - logKeep);
    }
    for (const event of this.parser.push({ stream: line.stream, line: line.line, progress: line.progress })) this.onEvent(event);
  }

  private onEvent(event: KohyaEvent): void {
    switch (event.kind) {
      case 'progress':
        this.onProgress(event);
        break;
      case 'epoch':
        this.epoch = { epoch: event.epoch, epochs: event.epochs };
        break;
      case 'banner':
        if (event.field === 'totalSteps') this.update({ totalSteps: event.value });
        break;
      case 'checkpoint':
        this.checkpointWaits.push(this.recordCheckpoint(event.path));
        break;
      case 'sampling':
        break;
      case 'checkpoint-removed':
        this.update({ checkpoints: this.current.checkpoints.filter((c) => path.basename(c.file) !== path.basename(event.path)) });
        break;
      case 'model-saved':
        this.modelSaved = true;
        break;
      case 'error':
        // An observation, not the outcome: the parser's failure() names the telling one at the end.
        break;
    }
  }

  private onProgress(event: Extract<KohyaEvent, { kind: 'progress' }>): void {
    const now = this.clock.now();
    if (!this.firstStep && event.step > 0) this.firstStep = { step: event.step, at: now };
    // Wall-clock: tqdm's own estimate leaves out the time spent sampling and saving.
    const done = this.firstStep ? event.step - this.firstStep.step : 0;
    const etaSec = this.firstStep && done > 0 ? (((now - this.firstStep.at) / done) * (event.total - event.step)) / 1000 : event.remainingSec;
    this.latest = {
      step: event.step,
      total: event.total,
      itPerSec: event.itPerSec,
      etaSec,
      averageLoss: event.averageLoss,
      epoch: this.epoch?.epoch ?? null,
      epochs: this.epoch?.epochs ?? null,
    };
    this.changedProgress.fire(this.latest);
    // Without TensorBoard the bar's moving average is the only loss there is: one point per step.
    const last = this.lossPoints[this.lossPoints.length - 1];
    if (!this.tensorboard && event.averageLoss !== null && event.step > 0 && (!last || event.step > last.step)) {
      this.addLoss([{ step: event.step, loss: event.averageLoss, average: event.averageLoss }]);
    } else if (!this.tensorboard && last && event.step === last.step && event.averageLoss !== null && last.average !== event.averageLoss) {
      // The second redraw of a step carries the new average: it replaces the first.
      const fixed = { step: last.step, loss: event.averageLoss, average: event.averageLoss };
      this.lossPoints[this.lossPoints.length - 1] = fixed;
      const pending = this.pendingLoss[this.pendingLoss.length - 1];
      if (pending?.step === fixed.step) this.pendingLoss[this.pendingLoss.length - 1] = fixed;
      else this.pendingLoss.push(fixed);
    }
    if (event.step !== this.current.step || event.total !== this.current.totalSteps) this.update({ step: event.step, totalSteps: event.total }, false);
  }

  private addLoss(points: readonly LossPoint[]): void {
    if (points.length === 0) return;
    this.lossPoints.push(...points);
    this.pendingLoss.push(...points);
  }

  /** Waits until the announced file exists and its size holds still, then records it. */
  private async recordCheckpoint(announced: string): Promise<void> {
    const file = path.resolve(this.options.paths.out, path.basename(announced.replace(/\\/g, '/')));
    let last = -1;
    for (;;) {
      const size = await stat(file).then((s) => s.size, () => -1);
      if (size > 0 && size === last) break;
      if (this.run.exit && size === last) break;
      last = size;
      await this.clock.sleep(settleMs);
    }
    if (last <= 0) return;
    const name = path.basename(file);
    const parsed = checkpointStep(name, this.current.config.outputName);
    const step = parsed?.step ?? this.current.step;
    const record: CheckpointRecord = {
      file: path.relative(this.folder, file).split(path.sep).join('/'),
      step,
      final: parsed?.final ?? false,
      bytes: last,
      loss: this.latest?.averageLoss ?? null,
    };
    const others = this.current.checkpoints.filter((c) => c.file !== record.file);
    this.update({ checkpoints: [...others, record].sort((a, b) => a.step - b.step || Number(a.final) - Number(b.final)) });
  }

  /** Reads new TensorBoard events, looks for new sample images, and flushes log and loss lines. */
  private async poll(): Promise<void> {
    if (this.tensorboard) {
      try {
        const last = this.lossPoints[this.lossPoints.length - 1]?.step ?? -1;
        this.addLoss(lossPointsFrom(await this.tensorboard.poll()).filter((p) => p.step > last));
      } catch (error) {
        this.options.logger.warn(`Training ${this.runId}: TensorBoard events unreadable: ${errorMessage(error)}`);
      }
    }
    await this.findSamples();
    await this.flush();
  }

  private async flush(): Promise<void> {
    const lines = this.pendingLog;
    const points = this.pendingLoss;
    this.pendingLog = [];
    this.pendingLoss = [];
    if (lines.length > 0) this.logEmitter.fire(lines);
    if (points.length > 0) this.lossEmitter.fire(points);
    this.writing = this.writing.then(async () => {
      if (lines.length > 0) await appendLog(this.options.paths, lines);
      if (points.length > 0) await appendLoss(this.options.paths, points);
    }).catch((error: unknown) => this.options.logger.warn(`Training ${this.runId}: ${errorMessage(error)}`));
    await this.writing;
  }

  private async findSamples(): Promise<void> {
    const names = await readdir(this.options.paths.samples).catch(() => [] as string[]);
    const known = new Set(this.current.samples.map((s) => path.basename(s.file)));
    const found: SampleRecord[] = [];
    for (const name of names.sort()) {
      if (known.has(name) || !name.toLowerCase().endsWith('.png')) continue;
      const sample = sampleImageOf(name, this.current.config.outputName);
      if (sample) found.push({ file: `${path.relative(this.folder, this.options.paths.samples).split(path.sep).join('/')}/${name}`, step: sample.step, promptIndex: sample.promptIndex });
    }
    if (found.length > 0) this.update({ samples: [...this.current.samples, ...found] });
  }

  /** The trainer is gone: whatever it left running in its group (accelerate's child) goes too. */
  private async sweep(exit: ChildExit): Promise<void> {
    if (this.run.pid !== undefined && !exit.error) await this.killTree(this.run.pid, 'SIGKILL', { leaderExited: true }).catch(() => undefined);
  }

  private async end(exit: ChildExit): Promise<RunRecord> {
    clearInterval(this.poller);
    for (const event of this.parser.end()) this.onEvent(event);
    await Promise.all(this.checkpointWaits);
    await this.poll();
    const finalFile = this.current.checkpoints.find((c) => c.final);
    let status: RunRecord['status'];
    let failure: RunRecord['failure'] = null;
    if (this.cancelRequested) status = 'cancelled';
    else if (exit.error) {
      status = 'failed';
      failure = { cause: 'could-not-start', message: `${failureAdvice('could-not-start')} (${exit.error.message})` };
    } else if (this.modelSaved && finalFile) status = 'completed';
    else {
      status = 'failed';
      const error = this.parser.failure();
      const cause: FailureCause = error?.cause ?? (exit.exitCode === 0 ? 'no-final-file' : 'exit-code');
      const detail = error?.message ?? (exit.exitCode === null ? `killed by ${exit.signal}` : `exit code ${exit.exitCode}`);
      failure = { cause, message: `${failureAdvice(cause)} (${detail})` };
    }
    const resumeFrom = status === 'completed' ? null : await latestStateFolder(this.options.paths.out);
    this.update({
      status,
      failure,
      endedAt: new Date().toISOString(),
      resumeFrom: resumeFrom === null ? null : path.relative(this.folder, resumeFrom).split(path.sep).join('/'),
    });
    await this.writing;
    return this.current;
  }

  private update(changes: Partial<RunRecord>, important = true): void {
    this.current = { ...this.current, ...changes };
    this.changedRecord.fire(this.current);
    this.persist(important);
  }

  private persist(important: boolean): void {
    const now = this.clock.now();
    if (!important && now - this.lastRecordWrite < recordWriteMs) return;
    this.lastRecordWrite = now;
    const record = this.current;
    this.writing = this.writing
      .then(() => writeRun(this.options.studioRoot, record))
      .catch((error: unknown) => this.options.logger.warn(`Training ${this.runId}: run.json not written: ${errorMessage(error)}`));
  }
}
