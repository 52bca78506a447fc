import * as vscode from 'vscode';
import { type EngineRow, engineRows } from '../../core/settings/engineRows';
import type { ComfyEngineState } from '../../core/comfy/comfyEngine';
import type { Settings } from '../../core/settings/settings';
import { DisposableStore } from '../../core/util/disposable';
import { CommandId } from '../../shared/ids';

type EngineNode = { readonly kind: 'engine'; readonly row: EngineRow } | { readonly kind: 'detail'; readonly parent: string; readonly name: string; readonly value: string } | { readonly kind: 'restricted' };

/**
 * The Engines view: what StudioNOVA is configured to drive. Live status (ready, crashed, GPU)
 * joins these rows once the supervisors exist; the rows themselves come from settings.
 */
export class EnginesTreeProvider implements vscode.TreeDataProvider<EngineNode>, vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly changed = this.disposables.add(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  private comfy: ComfyEngineState = { kind: 'idle' };

  constructor(
    private settings: Settings,
    private trusted: boolean,
  ) {}

  update(settings: Settings, trusted: boolean): void {
    this.settings = settings;
    this.trusted = trusted;
    this.changed.fire(undefined);
  }

  private previewLabel: string | undefined;

  /** The ComfyUI row says when it is the test double, not ComfyUI. */
  setPreviewLabel(label: string | undefined): void {
    this.previewLabel = label;
    this.changed.fire(undefined);
  }

  updateComfy(state: ComfyEngineState): void {
    this.comfy = state;
    this.changed.fire(undefined);
  }

  getTreeItem(node: EngineNode): vscode.TreeItem {
    switch (node.kind) {
      case 'restricted': {
        const item = new vscode.TreeItem('Restricted mode: no engine will be started');
        item.id = 'engines:restricted';
        item.iconPath = new vscode.ThemeIcon('shield');
        item.tooltip = 'This folder is not trusted. StudioNOVA shows the studio but starts no process. Trust the folder to use the engines.';
        item.command = { command: 'workbench.trust.manage', title: 'Manage Workspace Trust' };
        return item;
      }
      case 'engine': {
        const label = node.row.id === 'comfyui' && this.previewLabel ? `${node.row.label} (${this.previewLabel})` : node.row.label;
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `engine:${node.row.id}`;
        item.description = node.row.description;
        item.iconPath = new vscode.ThemeIcon(node.row.icon);
        item.contextValue = `engine.${node.row.id}`;
        item.command = { command: CommandId.openEngineSettings, title: 'Open Settings', arguments: [node.row.settingsQuery] };
        return item;
      }
      case 'detail': {
        const item = new vscode.TreeItem(node.name);
        item.id = `engine:${node.parent}:${node.name}`;
        item.description = node.value;
        item.tooltip = `${node.name}: ${node.value}`;
        return item;
      }
    }
  }

  getChildren(node?: EngineNode): EngineNode[] {
    if (!node) {
      const rows = engineRows(this.settings, this.comfy).map((row): EngineNode => ({ kind: 'engine', row }));
      return this.trusted ? rows : [{ kind: 'restricted' }, ...rows];
    }
    if (node.kind !== 'engine') return [];
    return node.row.details.map(([name, value]) => ({ kind: 'detail', parent: node.row.id, name, value }));
  }

  dispose(): void {
    this.disposables.dispose();
  }
}
