import * as vscode from 'vscode';
import { hardwareProfile } from '../../core/settings/hardware';
import type { Settings } from '../../core/settings/settings';
import { admitGeneration } from '../../core/training/gpuGate';
import { comfyModelsFolder, LoraCatalog } from '../../core/training/loraCatalog';
import type { RunRecord, TrainingProgress } from '../../core/training/model';
import { listRuns, settleStaleRun } from '../../core/training/runFolder';
import type { RunningTraining } from '../../core/training/runningTraining';
import { TrainingRunner } from '../../core/training/trainingRunner';
import { DisposableStore } from '../../core/util/disposable';
import type { Logger } from '../../core/util/logger';
import { CommandId } from '../../shared/ids';
import type { GenerationController } from '../generation/generationController';
import type { StudioSession } from '../studioSession';
import type { TrainingTreeData } from '../tree/loraNodes';
import type { TrainingTreeSource } from '../tree/studioTreeProvider';
import { formatTimeLeft } from '../../core/training/timeLeft';

/** The tree and status bar follow a running training at most this often. */
const redrawMs = 1000;

/**
 * Training in the editor: the one trainer of this window, its status bar item (step, loss, ETA;
 * click to open the run), the LoRAs section's data, and the hardware rule that keeps generation
 * off an exclusive GPU while a training runs.
 */
export class TrainingController implements TrainingTreeSource, vscode.Disposable {
  readonly runner: TrainingRunner;
  private readonly disposables = new DisposableStore();
  private readonly changed = this.disposables.add(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly catalog = new LoraCatalog();
  private readonly item = this.disposables.add(vscode.window.createStatusBarItem('studionova.training', vscode.StatusBarAlignment.Left, 9));
  private lastRedraw = 0;
  private redrawTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: StudioSession,
    private readonly settings: () => Settings,
    generation: GenerationController,
    logger: Logger,
  ) {
    this.item.name = 'LoRA Training';
    this.runner = new TrainingRunner({ logger });
    this.disposables.add(this.runner.onDidStart((job) => this.follow(job)));
    this.disposables.add(this.runner.onDidEnd((record) => void this.announce(record)));
    generation.setAdmission((signal, report) => {
      const { hardware } = this.settings();
      const label = hardwareProfile(hardware.profile, hardware.limits).label;
      return admitGeneration(this.runner, { limits: hardware.limits, label, generationDuringTraining: hardware.generationDuringTraining }, signal, (run) =>
        report(`waiting for the training ${run.id} to finish: the GPU is exclusive on ${label}…`),
      );
    });
  }

  /** The hardware profile as the validator and the runner take it. */
  hardware(): { limits: Settings['hardware']['limits']; label: string } {
    const { hardware } = this.settings();
    return hardwareProfile(hardware.profile, hardware.limits);
  }

  async load(studioRoot: string): Promise<TrainingTreeData> {
    const active = this.runner.active;
    const runs = (await listRuns(studioRoot)).map((run) => (active?.runId === run.id ? active.record() : settleStaleRun(run, false)));
    const live = new Map<string, TrainingProgress>();
    const progress = active?.progress();
    if (active && progress) live.set(active.runId, progress);
    const lorasFolder = comfyModelsFolder(this.settings().comfyui, 'loras');
    const loras = lorasFolder ? await this.catalog.list(lorasFolder).catch(() => []) : [];
    return { runs, live, lorasFolder, loras };
  }

  /** The running training of this window, if it is `runId` (or any, without one). */
  live(runId?: string): RunningTraining | undefined {
    const active = this.runner.active;
    return active && (runId === undefined || active.runId === runId) ? active : undefined;
  }

  async cancel(runId?: string): Promise<void> {
    const job = this.live(runId);
    if (!job) {
      void vscode.window.showInformationMessage('No training is running.');
      return;
    }
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Cancelling ${job.runId}…` }, () => job.cancel());
  }

  async resume(runId: string): Promise<RunningTraining> {
    const root = this.session.root;
    if (!root) throw new Error('No studio is open.');
    return this.runner.resume(root.fsPath, runId, this.settings().sdScripts);
  }

  dispose(): void {
    clearTimeout(this.redrawTimer);
    // The trainer is a child of this window: it must not outlive it unseen.
    void this.runner.dispose();
    this.disposables.dispose();
  }

  private follow(job: RunningTraining): void {
    this.render(job.record(), job.progress());
    const subscriptions = [job.onDidChangeProgress(() => this.scheduleRender(job)), job.onDidChangeRecord(() => this.scheduleRender(job))];
    void job.finished.then(() => {
      for (const s of subscriptions) s.dispose();
      clearTimeout(this.redrawTimer);
      this.redrawTimer = undefined;
      this.item.hide();
      this.changed.fire();
    });
    this.changed.fire();
  }

  /** Redraws the status bar and the tree from the job's latest state, at most once a `redrawMs`. */
  private scheduleRender(job: RunningTraining): void {
    if (this.redrawTimer) return;
    const redraw = (): void => {
      this.redrawTimer = undefined;
      this.lastRedraw = Date.now();
      this.render(job.record(), job.progress());
      this.changed.fire();
    };
    const wait = this.lastRedraw + redrawMs - Date.now();
    if (wait <= 0) redraw();
    else this.redrawTimer = setTimeout(redraw, wait);
  }

  private render(record: RunRecord, progress: TrainingProgress | null): void {
    if (this.runner.active?.runId !== record.id) return;
    const step = progress ? `${progress.step}/${progress.total}` : 'starting';
    const eta = progress?.etaSec ? ` · ${formatTimeLeft(progress.etaSec)} left` : '';
    this.item.text = `$(flame) ${record.config.outputName} ${step}${eta}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown('**Training** ').appendText(record.id).appendMarkdown('\n\n');
    if (progress?.averageLoss !== null && progress?.averageLoss !== undefined) tooltip.appendText(`average loss ${progress.averageLoss.toFixed(4)}`).appendMarkdown('  \n');
    if (progress?.itPerSec) tooltip.appendText(`${progress.itPerSec.toFixed(2)} it/s`).appendMarkdown('  \n');
    tooltip.appendText(`${record.checkpoints.length} checkpoint(s) saved`);
    this.item.tooltip = tooltip;
    this.item.command = { command: CommandId.openTrainingRun, title: 'Open Training Run', arguments: [record.id] };
    this.item.show();
  }

  private async announce(record: RunRecord): Promise<void> {
    this.changed.fire();
    const open = 'Open Run';
    if (record.status === 'completed') {
      const choice = await vscode.window.showInformationMessage(
        `Training ${record.id} finished: ${record.checkpoints.length} checkpoints. Compare them with test images to pick the best.`,
        open,
      );
      if (choice === open) await vscode.commands.executeCommand(CommandId.openTrainingRun, record.id);
    } else if (record.status === 'failed') {
      const choice = await vscode.window.showErrorMessage(`Training ${record.id} failed: ${record.failure?.message ?? 'see its log'}`, open);
      if (choice === open) await vscode.commands.executeCommand(CommandId.openTrainingRun, record.id);
    }
  }
}
