import * as vscode from 'vscode';
import { ComfyClient } from '../../core/comfy/comfyClient';
import type { ComfyEngine } from '../../core/comfy/comfyEngine';
import { fractionDone, finishedStatuses, type GenerationJob } from '../../core/generation/generationJob';
import { GenerationQueue } from '../../core/generation/generationQueue';
import { indexJobStore } from '../../core/generation/indexJobStore';
import type { GenerationRequest } from '../../core/generation/request';
import { DisposableStore } from '../../core/util/disposable';
import { Emitter } from '../../core/util/emitter';
import type { Logger } from '../../core/util/logger';
import { CommandId } from '../../shared/ids';
import type { StudioSession } from '../studioSession';

/** Resolves when a generation may start; rejects to refuse it. `report` says why it waits. */
export type Admission = (signal: AbortSignal, report: (message: string) => void) => Promise<void>;

/** Live previews are written at most this often per job. */
const previewIntervalMs = 400;

/**
 * Generation in the editor: one queue per studio on the engine's current address, jobs kept in
 * the index (so a restarted window picks them up from ComfyUI's history), a progress
 * notification with cancel per request, and the index refreshed as images land.
 */
export class GenerationController implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly changed = new Emitter<GenerationJob | undefined>();
  /** A job changed, or (undefined) the list of jobs did. */
  readonly onDidChangeJobs = this.changed.event;
  private queuePromise: Promise<GenerationQueue> | undefined;
  private queueRoot: string | undefined;
  private current: GenerationQueue | undefined;
  private recoveryChecked: string | undefined;
  private readonly previews = new Map<string, { uri: vscode.Uri; at: number; image: Uint8Array }>();
  /** What belongs to the current studio's queue; replaced when the studio changes. */
  private queueDisposables = new DisposableStore();
  /** Decides whether a generation may use the GPU now (a training may hold it); may wait. */
  private admit: Admission = async () => {};

  constructor(
    private readonly session: StudioSession,
    private readonly engine: ComfyEngine,
    private readonly builtinWorkflows: string,
    private readonly logger: Logger,
  ) {
    this.disposables.add(this.changed);
    this.disposables.add(session.onDidChangeState(() => this.dropQueue()));
    this.disposables.add(session.onDidRefresh(() => void this.recoverIfNeeded()));
    this.disposables.add(
      engine.onDidChangeState(async (state) => {
        // A managed restart moves ComfyUI to a new port; the queue follows it.
        if (state.kind === 'ready' && this.queuePromise) (await this.queuePromise).setClient(new ComfyClient(state.url));
      }),
    );
  }

  /** Set once the trainer exists: from then on every generation asks it first. */
  setAdmission(admit: Admission): void {
    this.admit = admit;
  }

  get jobs(): readonly GenerationJob[] {
    return this.current?.jobs ?? [];
  }

  /** The studio's queue, made on first use: ComfyUI must answer (or start) first. */
  queue(): Promise<GenerationQueue> {
    const root = this.session.root;
    if (!root) return Promise.reject(new Error('No studio is open.'));
    if (this.queuePromise && this.queueRoot === root.fsPath) return this.queuePromise;
    this.queueRoot = root.fsPath;
    this.queuePromise = (async () => {
      const client = await this.engine.ensureReady();
      const index = await this.session.index();
      const queue = new GenerationQueue({
        client,
        studioRoot: root.fsPath,
        templates: { builtinFolder: this.builtinWorkflows, studioRoot: root.fsPath },
        logger: this.logger,
        store: indexJobStore(index),
        diagnose: () => this.engine.logTail(12).join('\n') || undefined,
      });
      this.queueDisposables.add(queue);
      this.queueDisposables.add(
        queue.onDidChangeJob((job) => {
          if (finishedStatuses.has(job.status)) void this.dropPreview(job.id);
          else if (job.preview) void this.keepPreview(job, root);
          this.changed.fire(job);
        }),
      );
      this.queueDisposables.add(queue.onDidSaveOutput(() => void this.session.refresh()));
      this.current = queue;
      await queue.recover();
      this.changed.fire(undefined);
      return queue;
    })();
    this.queuePromise.catch(() => (this.queuePromise = undefined));
    return this.queuePromise;
  }

  /**
   * Jobs left running by the last window are picked up as soon as the studio's index is open:
   * a connected ComfyUI may have finished them meanwhile. A managed one died with that window and
   * is not started just for this: its jobs are settled on first use.
   */
  private async recoverIfNeeded(): Promise<void> {
    if (this.queuePromise || this.recoveryChecked === this.session.root?.fsPath) return;
    this.recoveryChecked = this.session.root?.fsPath;
    const index = await this.session.index();
    if (indexJobStore(index).unfinished().length === 0) return;
    if (this.engine.mode !== 'connected' && this.engine.state.kind !== 'ready') return;
    await this.queue().catch((error: unknown) => this.logger.warn(`Unfinished jobs wait for ComfyUI: ${String(error)}`));
  }

  /** Queues requests (a page is one per panel) and follows them in one progress notification. */
  generate(requests: readonly GenerationRequest[], title: string): Promise<GenerationJob[]> {
    return this.run(title, async (queue, signal) => {
      const jobs: GenerationJob[] = [];
      try {
        // One after another, so the jobs run in the page's order; ComfyUI is kept busy meanwhile.
        for (const request of requests) jobs.push(...(await queue.generate(request, signal)));
      } catch (error) {
        // A later request refused (a missing model): the earlier ones must not run on unfollowed.
        await Promise.all(jobs.map((job) => queue.cancel(job.id)));
        throw error;
      }
      return jobs;
    });
  }

  /**
   * Queues jobs through `enqueue` and follows them in a progress notification with Cancel;
   * resolves when every image is done, whichever way.
   */
  async run(title: string, enqueue: (queue: GenerationQueue, signal: AbortSignal) => Promise<GenerationJob[]>): Promise<GenerationJob[]> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      await this.admit(abort.signal, (message) => progress.report({ message }));
      progress.report({ message: 'checking the workflow with ComfyUI…' });
      const queue = await this.queue();
      const jobs = await enqueue(queue, abort.signal);
      this.changed.fire(undefined);
      token.onCancellationRequested(() => void Promise.all(jobs.map((job) => queue.cancel(job.id))));
      let reported = 0;
      const subscription = queue.onDidChangeJob((job) => {
        if (!jobs.includes(job)) return;
        const done = jobs.reduce((sum, j) => sum + fractionDone(j), 0) / jobs.length;
        const increment = Math.max(0, done * 100 - reported);
        reported += increment;
        progress.report({ increment, message: describeProgress(jobs) });
      });
      try {
        return await queue.waitFor(jobs);
      } finally {
        subscription.dispose();
        void this.announce(jobs);
      }
    });
  }

  /** The latest live preview of a job, as a file the Queue view can show. */
  previewOf(jobId: string): vscode.Uri | undefined {
    return this.previews.get(jobId)?.uri;
  }

  /**
   * Live previews go to `.studio/previews/<job>.<ext>` (never through messages), at most a few
   * times a second per job; the watcher ignores `.studio`, so this costs no index refresh.
   */
  private async keepPreview(job: GenerationJob, root: vscode.Uri): Promise<void> {
    const preview = job.preview!;
    const last = this.previews.get(job.id);
    if (last && (last.image === preview.image || Date.now() - last.at < previewIntervalMs)) return;
    const uri = vscode.Uri.joinPath(root, '.studio', 'previews', `${job.id}.${preview.mime === 'image/png' ? 'png' : 'jpg'}`);
    this.previews.set(job.id, { uri, at: Date.now(), image: preview.image });
    await vscode.workspace.fs.writeFile(uri, preview.image);
    this.changed.fire(job);
  }

  private async dropPreview(jobId: string): Promise<void> {
    const preview = this.previews.get(jobId);
    if (!preview) return;
    this.previews.delete(jobId);
    await vscode.workspace.fs.delete(preview.uri).then(undefined, () => undefined);
  }

  async cancel(jobId: string): Promise<void> {
    await this.current?.cancel(jobId);
  }

  dispose(): void {
    this.queueDisposables.dispose();
    this.disposables.dispose();
  }

  /** One message when a request ends: where the images are, or why not. */
  private async announce(jobs: readonly GenerationJob[]): Promise<void> {
    const saved = jobs.flatMap((job) => job.outputs);
    const failed = jobs.filter((job) => job.status === 'failed');
    const root = this.session.root;
    if (failed.length > 0) {
      const first = failed[0]!.error;
      const lost = first?.code === 'comfy_lost_job';
      const actions = lost ? ['Restart ComfyUI', 'Show Log'] : ['Show Log'];
      const answer = await vscode.window.showErrorMessage(
        `${failed.length} of ${jobs.length} ${jobs.length === 1 ? 'image' : 'images'} failed: ${first?.message ?? 'unknown error'}`,
        ...actions,
      );
      if (answer === 'Restart ComfyUI') await vscode.commands.executeCommand(CommandId.restartComfy);
      if (answer === 'Show Log') await vscode.commands.executeCommand(CommandId.showComfyLog);
      return;
    }
    if (saved.length === 0 || !root) return;
    const last = vscode.Uri.joinPath(root, saved[saved.length - 1]!.image);
    const answer = await vscode.window.showInformationMessage(`Saved ${saved.length} ${saved.length === 1 ? 'image' : 'images'}: ${saved.map((s) => s.image).join(', ')}`, 'Open in Gallery', 'Open', 'Reveal');
    if (answer === 'Open in Gallery') await vscode.commands.executeCommand(CommandId.openGallery, { reveal: saved[saved.length - 1]!.image });
    if (answer === 'Open') await vscode.commands.executeCommand('vscode.open', last);
    if (answer === 'Reveal') await vscode.commands.executeCommand('revealInExplorer', last);
  }

  private dropQueue(): void {
    this.queueDisposables.dispose();
    this.queueDisposables = new DisposableStore();
    this.queuePromise = undefined;
    this.queueRoot = undefined;
    this.current = undefined;
    this.changed.fire(undefined);
  }
}

function describeProgress(jobs: readonly GenerationJob[]): string {
  const done = jobs.filter((job) => finishedStatuses.has(job.status)).length;
  const running = jobs.find((job) => job.status === 'running');
  const step = running?.progress ? ` — step ${running.progress.value}/${running.progress.max}` : '';
  return `${done}/${jobs.length} done${step}`;
}
