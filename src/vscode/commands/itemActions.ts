import path from 'node:path';
import * as vscode from 'vscode';
import { checkId } from '../../core/studio/create';
import { AppError, CancelledError } from '../../core/util/errors';
import type { Logger } from '../../core/util/logger';
import type { StudioSession } from '../studioSession';
import { FileNode, PageNode } from '../tree/studioNodes';
import { trash } from '../trash';
import { uriExists } from '../uriExists';
import { requireStudio } from './requireStudio';

export async function openItem(file: unknown): Promise<void> {
  if (file instanceof vscode.Uri) await vscode.window.showTextDocument(file, { preview: true });
}

export async function revealItem(node: unknown): Promise<void> {
  await vscode.commands.executeCommand('revealInExplorer', fileNode(node).target);
}

/**
 * Renames the item's folder or file on disk; the tree follows through the watcher. Never
 * overwrites: a name that is taken is refused while typing.
 */
export async function renameItem(session: StudioSession, node: unknown): Promise<void> {
  const item = fileNode(node);
  const current = path.posix.basename(item.target.path);
  const isPage = item instanceof PageNode;
  const newName = await vscode.window.showInputBox({
    title: `Rename ${item.description}`,
    prompt: isPage ? 'New file name (pNNN.page.md)' : 'New id (the folder name)',
    value: current,
    valueSelection: isPage ? [0, current.indexOf('.')] : undefined,
    ignoreFocusOut: true,
    validateInput: async (value) => {
      if (value === current) return undefined;
      const problem = isPage ? (/^p\d{1,4}\.page\.md$/.test(value) ? undefined : 'Page files are named p001.page.md, p002.page.md…') : checkId(value);
      if (problem) return problem;
      return (await uriExists(vscode.Uri.joinPath(item.target, '..', value))) ? `${value} already exists.` : undefined;
    },
  });
  if (newName === undefined || newName === current) return;
  await vscode.workspace.fs.rename(item.target, vscode.Uri.joinPath(item.target, '..', newName), { overwrite: false });
  await session.refresh();
}

/** Deletes the item's folder or file after a modal confirmation, to the trash (see `trash`). */
export async function deleteItem(session: StudioSession, logger: Logger, node: unknown): Promise<void> {
  const item = fileNode(node);
  const root = await requireStudio(session);
  const relative = path.posix.relative(root.path, item.target.path);
  const confirm = 'Move to Trash';
  const answer = await vscode.window.showWarningMessage(`Delete ${item.description}?`, { modal: true, detail: `${relative} will be moved to the trash.` }, confirm);
  if (answer !== confirm) throw new CancelledError();
  await trash(root, relative, logger);
  await session.refresh();
}

function fileNode(node: unknown): FileNode {
  if (node instanceof FileNode) return node;
  throw new AppError('no_item', 'Run this from an item of the Studio view.');
}
