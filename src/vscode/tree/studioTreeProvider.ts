import * as vscode from 'vscode';
import { DisposableStore } from '../../core/util/disposable';
import type { Logger } from '../../core/util/logger';
import type { DatasetReports } from '../datasets/datasetReports';
import type { StudioSession } from '../studioSession';
import type { TrainingTreeData } from './loraNodes';
import { SectionNode, type StudioNode, type TreeContext } from './studioNodes';

/** Where the LoRAs section's runs and ComfyUI files come from, and when they changed. */
export interface TrainingTreeSource {
  load(studioRoot: string): Promise<TrainingTreeData>;
  readonly onDidChange: vscode.Event<void>;
}

/** Tree refreshes wait this long so a burst of index changes redraws once. */
const redrawDelayMs = 20;

/**
 * The Studio view: Characters, Datasets, LoRAs and Chapters from the index. The index is opened
 * on the first call for children, not at activation; while the view is hidden, changes only mark
 * it stale and it redraws when shown again.
 */
export class StudioTreeProvider implements vscode.TreeDataProvider<StudioNode>, vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly changed = this.disposables.add(new vscode.EventEmitter<StudioNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private visible = false;
  private stale = false;
  /** A first load of the root is waiting for the index; it will show the data as opened. */
  private loadingRoot = false;
  private redrawTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: StudioSession,
    private readonly logger: Logger,
    private readonly datasetReports: DatasetReports,
    private readonly training: TrainingTreeSource,
  ) {
    this.disposables.add(datasetReports.onDidCheck(() => this.redraw()));
    this.disposables.add(training.onDidChange(() => this.redraw()));
    this.disposables.add(session.onDidChangeState(() => this.redraw()));
    this.disposables.add(session.onDidRefresh(() => this.redraw()));
  }

  /** Keeps the provider idle while the view is hidden. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible && this.stale) this.redraw();
  }

  getTreeItem(node: StudioNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  async getChildren(node?: StudioNode): Promise<StudioNode[]> {
    if (node) return node.getChildren();
    const root = this.session.root;
    if (!root) return []; // The welcome view explains what to do.
    this.loadingRoot = true;
    try {
      const [index, training] = await Promise.all([this.session.index(), this.training.load(root.fsPath)]);
      const context: TreeContext = { index, root, datasetFindings: (id) => this.datasetReports.findingsOf(id), training };
      return (['characters', 'datasets', 'loras', 'chapters'] as const).map((kind) => new SectionNode(context, kind));
    } catch (error) {
      this.logger.error(error instanceof Error ? error : String(error));
      void vscode.window.showErrorMessage(`StudioNOVA could not read the studio: ${String(error)}`);
      return [];
    } finally {
      this.loadingRoot = false;
    }
  }

  dispose(): void {
    clearTimeout(this.redrawTimer);
    this.disposables.dispose();
  }

  private redraw(): void {
    // Redrawing while the root waits would hand VS Code new nodes for the ones it is expanding.
    if (this.loadingRoot) return;
    if (!this.visible) {
      this.stale = true;
      return;
    }
    this.stale = false;
    clearTimeout(this.redrawTimer);
    this.redrawTimer = setTimeout(() => this.changed.fire(undefined), redrawDelayMs);
  }
}
