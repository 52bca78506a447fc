import * as vscode from 'vscode';
import type { Logger } from '../core/util/logger';

/**
 * Moves a studio file or folder to the system trash; where there is none (a remote or server
 * file system), to the studio's own `.studio/trash/<time>/`, so it can always be got back.
 */
export async function trash(root: vscode.Uri, studioPath: string, logger: Logger): Promise<void> {
  const target = vscode.Uri.joinPath(root, studioPath);
  try {
    await vscode.workspace.fs.delete(target, { recursive: true, useTrash: true });
  } catch (error) {
    logger.info(`System trash unavailable (${String(error)}); moving ${studioPath} to .studio/trash instead.`);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const kept = vscode.Uri.joinPath(root, '.studio', 'trash', stamp, studioPath);
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(kept, '..'));
    await vscode.workspace.fs.rename(target, kept, { overwrite: false });
    void vscode.window.showInformationMessage(`Moved ${studioPath} to .studio/trash/${stamp}.`);
  }
}
