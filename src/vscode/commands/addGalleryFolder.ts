import * as vscode from 'vscode';
import { addGalleryRoot } from '../../core/gallery/galleryRoots';
import type { StudioSession } from '../studioSession';
import { requireStudio } from './requireStudio';

/** Picks a folder whose images the gallery shows too (ComfyUI's own output, an old archive), and records it in studio.json. */
export async function addGalleryFolder(session: StudioSession): Promise<void> {
  const root = await requireStudio(session);
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Show in Gallery', title: 'Add Gallery Folder' });
  const folder = picked?.[0];
  if (!folder) return;
  const added = await addGalleryRoot(root.fsPath, folder.fsPath);
  await session.refresh();
  void vscode.window.showInformationMessage(added ? `The gallery now shows the images of ${folder.fsPath} too.` : `${folder.fsPath} is already a gallery folder.`);
}
