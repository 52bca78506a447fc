import * as vscode from 'vscode';
import type { CatalogLora } from '../../core/training/loraCatalog';
import type { CheckpointRecord, RunRecord, RunStatus, TrainingProgress } from '../../core/training/model';
import { runFolder } from '../../core/training/runFolder';
import { CommandId } from '../../shared/ids';
import { StudioNode, tooltip } from './studioNode';

/** What the LoRAs section shows besides the index: training runs and ComfyUI's LoRA files. */
export interface TrainingTreeData {
  readonly runs: readonly RunRecord[];
  /** The live figures of the running training, by run id. */
  readonly live: ReadonlyMap<string, TrainingProgress>;
  /** ComfyUI's loras folder; undefined when StudioNOVA does not know where ComfyUI is installed. */
  readonly lorasFolder: string | undefined;
  readonly loras: readonly CatalogLora[];
}

const statusIcons: Record<RunStatus, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock'),
  running: new vscode.ThemeIcon('sync~spin'),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
};

/** A training run: its status and progress; its checkpoints below it. */
export class TrainingRunNode extends StudioNode {
  constructor(
    private readonly root: vscode.Uri,
    readonly run: RunRecord,
    private readonly live: TrainingProgress | undefined,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const r = this.run;
    const item = new vscode.TreeItem(r.id, r.checkpoints.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `training:${r.id}`;
    item.iconPath = statusIcons[r.status];
    // trainingRun.failed.resumable lets the menu offer Resume only where it can work.
    item.contextValue = `trainingRun.${r.status}${r.resumeFrom && (r.status === 'failed' || r.status === 'cancelled') ? '.resumable' : ''}`;
    item.description = describeRun(r, this.live);
    item.resourceUri = vscode.Uri.joinPath(this.root, runFolder(r.id));
    item.command = { command: CommandId.openTrainingRun, title: 'Open Training Run', arguments: [r.id] };
    item.tooltip = tooltip(`${r.id} · ${r.status}`, [
      ['Dataset', r.config.datasetId],
      ['Base model', r.config.baseModel],
      ['Steps', `${r.step} of ${r.totalSteps ?? r.config.maxTrainSteps}`],
      ['Network', `dim ${r.config.networkDim}, alpha ${r.config.networkAlpha}`],
      ['Started', r.startedAt ?? undefined],
      ['Ended', r.endedAt ?? undefined],
      ['Failure', r.failure?.message],
      ['Chosen checkpoint', r.chosen ? `${r.chosen.file} → ${r.chosen.lora}` : undefined],
      ['Resumes', r.resumes ?? undefined],
    ]);
    return item;
  }

  override getChildren(): StudioNode[] {
    return this.run.checkpoints.map((c) => new CheckpointNode(this.root, this.run, c));
  }
}

export class CheckpointNode extends StudioNode {
  constructor(
    private readonly root: vscode.Uri,
    readonly run: RunRecord,
    readonly checkpoint: CheckpointRecord,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const c = this.checkpoint;
    const name = c.file.replace(/^.*\//, '');
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
    item.id = `checkpoint:${this.run.id}:${c.file}`;
    const chosen = this.run.chosen?.file === c.file;
    item.iconPath = new vscode.ThemeIcon(chosen ? 'star-full' : 'package');
    item.contextValue = 'trainingCheckpoint';
    item.resourceUri = vscode.Uri.joinPath(this.root, runFolder(this.run.id), c.file);
    const loss = c.loss === null ? '' : ` · loss ${c.loss.toFixed(4)}`;
    item.description = `${c.final ? 'final, ' : ''}step ${c.step}${loss}${chosen ? ` · in use as ${this.run.chosen!.lora}` : ''}`;
    item.command = { command: CommandId.openTrainingRun, title: 'Open Training Run', arguments: [this.run.id] };
    return item;
  }
}

/** A LoRA file in ComfyUI's loras folder, described from its safetensors header. */
export class ComfyLoraNode extends StudioNode {
  constructor(readonly lora: CatalogLora) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const l = this.lora;
    const f = l.facts;
    const item = new vscode.TreeItem(l.name.replace(/\.safetensors$/i, ''), vscode.TreeItemCollapsibleState.None);
    item.id = `comfyLora:${l.name}`;
    item.iconPath = new vscode.ThemeIcon('layers');
    item.contextValue = 'comfyLora';
    item.resourceUri = vscode.Uri.file(l.file);
    item.description = f ? describeFacts(f) : (l.problem ?? '');
    item.tooltip = tooltip(l.name, [
      ['File', l.file],
      ['Size', `${(l.bytes / 1024 / 1024).toFixed(1)} MB`],
      ['Base model', f?.baseModel ?? undefined],
      ['Network', f?.networkDim === null || f?.networkDim === undefined ? undefined : `dim ${f.networkDim}, alpha ${f.networkAlpha ?? '?'}`],
      ['Steps', f?.steps === null || f?.steps === undefined ? undefined : String(f.steps)],
      ['Training images', f?.imageCount === null || f?.imageCount === undefined ? undefined : String(f.imageCount)],
      ['Resolution', f?.resolution ?? undefined],
      ['Trained', f?.trainedAt ?? undefined],
      ['Top tags', f && f.topTags.length > 0 ? f.topTags.map((t) => `${t.tag} (${t.count})`).join(', ') : undefined],
      ['Metadata', l.problem ?? undefined],
    ]);
    return item;
  }
}

function describeRun(r: RunRecord, live: TrainingProgress | undefined): string {
  if (r.status === 'running' && live) {
    const loss = live.averageLoss === null ? '' : ` · loss ${live.averageLoss.toFixed(4)}`;
    return `running ${live.step}/${live.total}${loss}`;
  }
  if (r.status === 'running') return `running ${r.step}/${r.totalSteps ?? '?'}`;
  const checkpoints = `${r.checkpoints.length} checkpoint${r.checkpoints.length === 1 ? '' : 's'}`;
  if (r.status === 'failed') return `failed at step ${r.step}${r.failure ? `: ${r.failure.cause}` : ''}`;
  return `${r.status} · ${checkpoints}${r.chosen ? ` · using ${r.chosen.file.replace(/^.*\//, '')}` : ''}`;
}

function describeFacts(f: NonNullable<CatalogLora['facts']>): string {
  const parts = [f.baseModel, f.networkDim === null ? null : `dim ${f.networkDim}`, f.steps === null ? null : `${f.steps} steps`, f.imageCount === null ? null : `${f.imageCount} images`];
  return parts.filter(Boolean).join(' · ');
}
