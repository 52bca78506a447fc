import * as vscode from 'vscode';
import { type Problem, worstSeverity } from '../../core/model/problem';
import type { StudioIndex } from '../../core/studio/studioIndex';
import { CommandId } from '../../shared/ids';
import type { TrainingTreeData } from './loraNodes';

/** What a node needs to draw itself and find its children. */
export interface TreeContext {
  readonly index: StudioIndex;
  readonly root: vscode.Uri;
  /** What the last Check Dataset found in a dataset; nothing before it was checked. */
  readonly datasetFindings: (datasetId: string) => readonly Problem[];
  /** Training runs and ComfyUI's LoRA files, read when the tree was drawn. */
  readonly training: TrainingTreeData;
}

/** A node of the Studio tree: holds ids and plain values, never a database row or a promise. */
export abstract class StudioNode {
  abstract getTreeItem(): vscode.TreeItem;
  getChildren(): StudioNode[] {
    return [];
  }
}

/** A node that stands for a file or folder of the studio: it can be revealed, renamed and deleted. */
export abstract class FileNode extends StudioNode {
  /** What the context menu says it deletes, e.g. `character "Spyke"`. */
  abstract readonly description: string;
  /** The file or folder that rename and delete act on. */
  abstract readonly target: vscode.Uri;
  /** The file that opens on click. */
  abstract readonly file: vscode.Uri;
}

/** A tree item for a file: its icon turns into a warning or error when the file has problems. */
export function fileItem(id: string, label: string, file: vscode.Uri, kind: string, problems: readonly Problem[], icon: string): vscode.TreeItem {
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = id;
  item.resourceUri = file;
  const worst = worstSeverity(problems);
  item.contextValue = worst ? `${kind}.${worst}` : kind;
  item.iconPath =
    worst === 'error'
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'))
      : worst === 'warning'
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
        : new vscode.ThemeIcon(icon);
  item.command = { command: CommandId.openItem, title: 'Open', arguments: [file] };
  return item;
}

/** A tooltip of a title, named fields, notes and problems; text from files is never read as markdown. */
export function tooltip(
  title: string,
  fields: ReadonlyArray<readonly [string, string | undefined]>,
  notes?: string,
  problems: readonly Problem[] = [],
): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  // Names and notes come from files anyone can write: appended as text, never as markdown.
  md.appendMarkdown('**').appendText(title).appendMarkdown('**\n\n');
  for (const [name, value] of fields) if (value) md.appendMarkdown(`${name}: `).appendText(value).appendMarkdown('  \n');
  if (notes) md.appendMarkdown('\n').appendText(notes).appendMarkdown('\n');
  for (const problem of problems) {
    md.appendMarkdown(`\n$(${problem.severity === 'error' ? 'error' : 'warning'}) `).appendText(`${problem.file}:${problem.range.startLine + 1} ${problem.message}`);
  }
  return md;
}
