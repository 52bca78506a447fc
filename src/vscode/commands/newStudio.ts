import path from 'node:path';
import * as vscode from 'vscode';
import { createStudio } from '../../core/studio/create';
import { pageFile, chapterId } from '../../core/studio/layout';
import type { StudioSession } from '../studioSession';

/** Turns the open folder into a studio; a folder that already is one is left alone and says so. */
export async function newStudio(session: StudioSession): Promise<void> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (folders.length === 0) {
    const open = 'Open Folder';
    if ((await vscode.window.showInformationMessage('Open a folder first: a studio is a folder.', open)) === open) {
      await vscode.commands.executeCommand('vscode.openFolder');
    }
    return;
  }
  const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder becomes the studio?' });
  if (!folder) return;
  const result = await createStudio(folder.uri.fsPath, path.basename(folder.uri.fsPath));
  if (result.alreadyStudio) {
    void vscode.window.showInformationMessage(`${folder.name} is already a studio: nothing was changed.`);
  } else {
    await session.detect();
    const samplePage = vscode.Uri.joinPath(folder.uri, pageFile(chapterId(1), 1));
    if (result.created.includes(pageFile(chapterId(1), 1))) await vscode.window.showTextDocument(samplePage, { preview: false });
    void vscode.window.showInformationMessage(`${folder.name} is now a studio (${result.created.length} files created).`);
  }
}
