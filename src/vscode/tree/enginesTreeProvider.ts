import * as vscode from 'vscode';
import { describeLimits, hardwarePresets } from '../../core/settings/hardware';
import type { Settings } from '../../core/settings/settings';
import { DisposableStore } from '../../core/util/disposable';
import { CommandId } from '../../shared/ids';

interface EngineRow {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly icon: string;
  readonly settingsQuery: string;
  readonly details: ReadonlyArray<readonly [string, string]>;
}

type EngineNode = { readonly kind: 'engine'; readonly row: EngineRow } | { readonly kind: 'detail'; readonly parent: string; readonly name: string; readonly value: string } | { readonly kind: 'restricted' };

/**
 * The Engines view: what StudioNOVA is configured to drive. Live status (ready, crashed, GPU)
 * joins these rows once the supervisors exist; the rows themselves come from settings.
 */
export class EnginesTreeProvider implements vscode.TreeDataProvider<EngineNode>, vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly changed = this.disposables.add(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private settings: Settings,
    private trusted: boolean,
  ) {}

  update(settings: Settings, trusted: boolean): void {
    this.settings = settings;
    this.trusted = trusted;
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
        const item = new vscode.TreeItem(node.row.label, vscode.TreeItemCollapsibleState.Collapsed);
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
      const rows = engineRows(this.settings).map((row): EngineNode => ({ kind: 'engine', row }));
      return this.trusted ? rows : [{ kind: 'restricted' }, ...rows];
    }
    if (node.kind !== 'engine') return [];
    return node.row.details.map(([name, value]) => ({ kind: 'detail', parent: node.row.id, name, value }));
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

const notSet = 'not set';

/** The rows of the Engines view, from settings alone. */
export function engineRows(settings: Settings): EngineRow[] {
  const { comfyui, sdScripts, ollama, hardware } = settings;
  const preset = hardware.profile === 'custom' ? 'Custom' : hardwarePresets[hardware.profile].label;
  return [
    {
      id: 'comfyui',
      label: 'ComfyUI',
      description: comfyui.mode === 'connected' ? comfyui.url : `managed · ${comfyui.folder || 'folder not set'}`,
      icon: 'symbol-color',
      settingsQuery: 'studionova.comfyui',
      details: [
        ['Mode', comfyui.mode],
        ['URL', comfyui.url],
        ['Folder', comfyui.folder || notSet],
        ['Python', comfyui.python || 'python3'],
        ['Extra arguments', comfyui.extraArgs.join(' ') || 'none'],
      ],
    },
    {
      id: 'sd-scripts',
      label: 'sd-scripts',
      description: sdScripts.folder || 'folder not set',
      icon: 'pulse',
      settingsQuery: 'studionova.sdScripts',
      details: [
        ['Folder', sdScripts.folder || notSet],
        ['Launcher', sdScripts.launcher],
        ['Python', sdScripts.python || 'python3'],
        ['accelerate', sdScripts.accelerate || 'next to Python'],
      ],
    },
    {
      id: 'ollama',
      label: 'Ollama',
      description: ollama.url,
      icon: 'comment-discussion',
      settingsQuery: 'studionova.ollama',
      details: [['URL', ollama.url]],
    },
    {
      id: 'hardware',
      label: 'Hardware',
      description: `${preset} · ${describeLimits(hardware.limits)}`,
      icon: 'chip',
      settingsQuery: 'studionova.hardware',
      details: [
        ['Profile', preset],
        ['Largest image', `${hardware.limits.maxWidth}×${hardware.limits.maxHeight}`],
        ['Training batch size', String(hardware.limits.trainBatchSize)],
        ['GPU', hardware.limits.exclusiveGpu ? 'exclusive: no generation while training' : 'shared'],
      ],
    },
  ];
}
