import * as vscode from 'vscode';
import { fractionDone, type GenerationJob } from '../../core/generation/generationJob';
import { DisposableStore } from '../../core/util/disposable';
import { CommandId } from '../../shared/ids';
import type { StudioSession } from '../studioSession';
import type { GenerationController } from './generationController';

/** How many jobs the view lists, newest first; older ones are in the manifest and the gallery. */
const shownJobs = 100;
/**
 * VS Code waits for a 200 ms lull in a tree's change events before it redraws, so a stream of
 * progress events closer together than that would hold the view still until the job ends.
 */
const redrawIntervalMs = 500;

const icons: Record<GenerationJob['status'], [string, string?]> = {
  queued: ['clock'],
  submitted: ['clock'],
  running: ['sync~spin'],
  saving: ['cloud-download'],
  completed: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash'],
};

/** The Queue view: every job of this window, with its state and progress. */
export class QueueTreeProvider implements vscode.TreeDataProvider<GenerationJob>, vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly changed = this.disposables.add(new vscode.EventEmitter<GenerationJob | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  /** Rows that changed since the last redraw, or `all` when jobs came or went. */
  private pending: Set<GenerationJob> | 'all' = new Set();
  private shown = new Set<GenerationJob>();

  constructor(
    private readonly controller: GenerationController,
    private readonly session: StudioSession,
  ) {
    // Progress frames arrive many times a second: the view redraws twice a second at most, only
    // the rows that changed (VS Code reuses a row it already has unless told which one changed).
    this.disposables.add(
      controller.onDidChangeJobs((job) => {
        if (!job || !this.shown.has(job)) this.pending = 'all';
        else if (this.pending !== 'all') this.pending.add(job);
        this.timer ??= setTimeout(() => this.redraw(), redrawIntervalMs);
      }),
    );
  }

  getTreeItem(job: GenerationJob): vscode.TreeItem {
    const target = job.request.target;
    const subject = job.request.characterId ?? (target.kind === 'page' ? `ch${target.chapter} p${target.page}` : target.kind === 'dataset' ? target.datasetId : target.kind === 'trial' ? `${target.runId} test` : 'image');
    const item = new vscode.TreeItem(`${subject} · seed ${job.seed}`);
    item.id = `job:${job.id}`;
    const [icon, color] = icons[job.status];
    const root = this.session.root;
    const image = job.outputs[0]?.image;
    // What the job shows: its image once saved, its live preview while it runs.
    const picture = image && root ? vscode.Uri.joinPath(root, image) : job.status === 'running' ? this.controller.previewOf(job.id) : undefined;
    item.iconPath = picture && job.status === 'running' ? picture : new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.description = describe(job);
    item.contextValue = `job.${job.status}`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(job.request.prompt);
    tooltip.appendMarkdown(`\n\n${job.request.width}×${job.request.height} · ${job.request.steps} steps · cfg ${job.request.cfg} · ${job.request.sampler}/${job.request.scheduler} · ${job.request.template}`);
    if (job.error) tooltip.appendMarkdown('\n\n').appendText(job.error.message);
    if (picture) tooltip.appendMarkdown(`\n\n![${job.status === 'running' ? 'live preview' : 'image'}](${picture.toString()}|width=256)`);
    item.tooltip = tooltip;
    if (image && root) item.command = { command: CommandId.openJobImage, title: 'Open Image', arguments: [vscode.Uri.joinPath(root, image)] };
    return item;
  }

  getChildren(job?: GenerationJob): GenerationJob[] {
    if (job) return [];
    const jobs = [...this.controller.jobs].reverse().slice(0, shownJobs);
    this.shown = new Set(jobs);
    return jobs;
  }

  private redraw(): void {
    this.timer = undefined;
    const pending = this.pending;
    this.pending = new Set();
    if (pending === 'all') this.changed.fire(undefined);
    else for (const job of pending) this.changed.fire(job);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.disposables.dispose();
  }
}

function describe(job: GenerationJob): string {
  switch (job.status) {
    case 'running':
      return job.progress ? `${Math.round(fractionDone(job) * 100)} % · step ${job.progress.value}/${job.progress.max}` : 'running';
    case 'completed':
      return job.outputs.map((o) => o.image.split('/').pop()).join(', ');
    case 'failed':
      return `failed: ${job.error?.message.split('\n')[0] ?? ''}`;
    default:
      return job.status;
  }
}
