import path from 'node:path';
import * as vscode from 'vscode';
import type { Asset, Page, PanelSummary } from '../../core/model/studio';
import { CommandId } from '../../shared/ids';
import { FileNode, fileItem, StudioNode, type TreeContext } from './studioNode';

/** A page of a chapter: its panels, each with the versions generated for it. */
export class PageNode extends FileNode {
  readonly description: string;
  readonly target: vscode.Uri;
  readonly file: vscode.Uri;

  constructor(
    private readonly context: TreeContext,
    readonly page: Page,
  ) {
    super();
    this.description = `page ${page.number} of ${page.chapterId}`;
    this.file = this.target = vscode.Uri.joinPath(context.root, page.path);
  }

  getTreeItem(): vscode.TreeItem {
    const p = this.page;
    const problems = this.context.index.problems.under(p.path);
    const item = fileItem(`page:${p.path}`, `Page ${p.number}`, this.file, 'page', problems, 'file-text');
    item.description = `${p.panelCount} ${p.panelCount === 1 ? 'panel' : 'panels'}`;
    if (p.panelCount > 0) item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
    return item;
  }

  override getChildren(): StudioNode[] {
    const versions = pageVersions(this.context.index.assets.forPage(this.page.chapterId, this.page.number));
    const children: StudioNode[] = this.page.panels.map(
      (panel) => new PanelNode(this.context, this.page, panel, versions.byPanel.get(panel.index) ?? [], versions.approved),
    );
    // Images of this page whose manifest line is gone, or from a panel that no longer exists.
    const known = new Set(this.page.panels.map((panel) => panel.index));
    const others = [...versions.byPanel].filter(([panel]) => !known.has(panel)).flatMap(([, assets]) => assets);
    if (others.length > 0) children.push(new OtherVersionsNode(this.context, this.page, others, versions.approved));
    return children;
  }
}

/** One `## ` block of a page; opens the page at its heading. */
export class PanelNode extends StudioNode {
  constructor(
    private readonly context: TreeContext,
    readonly page: Page,
    readonly panel: PanelSummary,
    readonly versions: readonly Asset[],
    private readonly approved: ReadonlySet<string>,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const count = this.versions.length;
    const item = new vscode.TreeItem(this.panel.title, count > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `panel:${this.page.path}#${this.panel.index}`;
    item.contextValue = 'panel';
    item.iconPath = new vscode.ThemeIcon('symbol-field');
    const approved = this.versions.find((asset) => this.approved.has(asset.path));
    item.description = count === 0 ? 'no versions yet' : `${count} ${count === 1 ? 'version' : 'versions'}${approved ? ` · v${approved.version} approved` : ''}`;
    const file = vscode.Uri.joinPath(this.context.root, this.page.path);
    const at = new vscode.Range(this.panel.line, 0, this.panel.line, 0);
    item.command = { command: 'vscode.open', title: 'Open Panel', arguments: [file, { selection: at }] };
    return item;
  }

  override getChildren(): StudioNode[] {
    return newestFirst(this.versions).map((asset) => new VersionNode(this.context, asset, this.approved.has(asset.path)));
  }
}

/** Versions of a page that belong to no panel of it now. */
class OtherVersionsNode extends StudioNode {
  constructor(
    private readonly context: TreeContext,
    private readonly page: Page,
    private readonly versions: readonly Asset[],
    private readonly approved: ReadonlySet<string>,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Other versions', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `panel:${this.page.path}#other`;
    item.iconPath = new vscode.ThemeIcon('question');
    item.description = `${this.versions.length} not matched to a panel`;
    item.tooltip = 'Images of this page whose panel is unknown (no line in output/generation-log.jsonl) or no longer in the page.';
    return item;
  }

  override getChildren(): StudioNode[] {
    return newestFirst(this.versions).map((asset) => new VersionNode(this.context, asset, this.approved.has(asset.path)));
  }
}

/** One generated image of a panel: shown by its own picture; opens it on click. */
export class VersionNode extends StudioNode {
  readonly uri: vscode.Uri;

  constructor(
    context: TreeContext,
    readonly asset: Asset,
    readonly approved: boolean,
  ) {
    super();
    this.uri = vscode.Uri.joinPath(context.root, asset.path);
  }

  getTreeItem(): vscode.TreeItem {
    const a = this.asset;
    const item = new vscode.TreeItem(`v${a.version ?? '?'}`, vscode.TreeItemCollapsibleState.None);
    item.id = `version:${a.path}`;
    item.contextValue = this.approved ? 'version.approved' : 'version';
    // The image itself is the icon: the closest to a thumbnail a tree row allows.
    item.iconPath = this.uri;
    item.description = [this.approved ? '★ approved' : undefined, a.seed === undefined ? undefined : `seed ${a.seed}`].filter(Boolean).join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(a.path).appendMarkdown(`\n\n![v${a.version ?? ''}](${this.uri.toString()}|width=256)`);
    if (a.seed !== undefined) tooltip.appendMarkdown(`\n\nseed ${a.seed}`);
    item.tooltip = tooltip;
    item.command = { command: CommandId.openVersion, title: 'Open Image', arguments: [this] };
    return item;
  }
}

/**
 * A page's raw versions by panel (undefined panel as 0), and the raw paths that have an approved
 * copy (same name in the chapter's approved folder).
 */
function pageVersions(assets: readonly Asset[]): { byPanel: Map<number, Asset[]>; approved: Set<string> } {
  const byPanel = new Map<number, Asset[]>();
  for (const asset of assets) {
    if (asset.stage !== 'raw') continue;
    const panel = asset.panel ?? 0;
    byPanel.set(panel, [...(byPanel.get(panel) ?? []), asset]);
  }
  return { byPanel, approved: approvedVersions(assets) };
}

/** The raw versions among `assets` that have an approved copy (the same name in the approved folder). */
export function approvedVersions(assets: readonly Asset[]): Set<string> {
  const approvedNames = new Set(assets.filter((a) => a.stage === 'approved').map((a) => path.posix.basename(a.path)));
  return new Set(assets.filter((a) => a.stage === 'raw' && approvedNames.has(path.posix.basename(a.path))).map((a) => a.path));
}

function newestFirst(assets: readonly Asset[]): Asset[] {
  return [...assets].sort((a, b) => (b.version ?? 0) - (a.version ?? 0));
}
