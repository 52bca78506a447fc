import * as vscode from 'vscode';
import { createChapter, createPage } from '../../core/studio/create';
import { CancelledError } from '../../core/util/errors';
import type { StudioSession } from '../studioSession';
import { ChapterNode } from '../tree/studioNodes';
import { requireStudio } from './requireStudio';

export async function newChapter(session: StudioSession): Promise<void> {
  const root = await requireStudio(session);
  const title = await vscode.window.showInputBox({
    title: 'New Chapter',
    prompt: 'Chapter title',
    placeHolder: 'The Rooftop Chase',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'A chapter needs a title.'),
  });
  if (title === undefined) throw new CancelledError();
  const file = await createChapter(root.fsPath, title);
  await session.refresh();
  await vscode.window.showTextDocument(vscode.Uri.joinPath(root, file), { preview: false });
}

/** Adds the next page to the chapter clicked in the tree, or to one picked from a list. */
export async function newPage(session: StudioSession, node?: unknown): Promise<void> {
  const root = await requireStudio(session);
  const index = await session.index();
  let chapterId = node instanceof ChapterNode ? node.chapter.id : undefined;
  if (!chapterId) {
    const chapters = index.chapters.list();
    if (chapters.length === 0) throw new Error('There is no chapter yet: run "StudioNOVA: New Chapter" first.');
    const picked = await vscode.window.showQuickPick(
      chapters.map((c) => ({ label: `Chapter ${c.number}: ${c.title}`, description: c.id, id: c.id })),
      { title: 'New Page', placeHolder: 'Which chapter?' },
    );
    if (!picked) throw new CancelledError();
    chapterId = picked.id;
  }
  // With a single character in the studio, the new page starts with its trigger word.
  const characters = index.characters.list();
  const character = characters.length === 1 ? characters[0] : undefined;
  const file = await createPage(root.fsPath, chapterId, character && { id: character.id, trigger: character.trigger });
  await session.refresh();
  await vscode.window.showTextDocument(vscode.Uri.joinPath(root, file), { preview: false });
}
