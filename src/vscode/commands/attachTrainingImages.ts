import * as vscode from 'vscode';
import type { Character } from '../../core/model/studio';
import { attachTrainingImages as attach, recordConsent, responsibleUseStatement } from '../../core/studio/create';
import { CancelledError } from '../../core/util/errors';
import type { StudioSession } from '../studioSession';
import { CharacterNode } from '../tree/studioNodes';
import { requireStudio } from './requireStudio';

/**
 * Copies training images into a character's dataset. The first time for each character, the
 * user confirms the responsible-use statement; the confirmation is recorded in consent.json.
 */
export async function attachTrainingImages(session: StudioSession, node?: unknown): Promise<void> {
  const root = await requireStudio(session);
  const index = await session.index();
  const character = node instanceof CharacterNode ? node.character : await pickCharacter(index.characters.list());

  await ensureConsent(root.fsPath, character);

  const files = await vscode.window.showOpenDialog({
    title: `Training images for ${character.name}`,
    canSelectMany: true,
    openLabel: 'Attach',
    filters: { Images: ['png', 'jpg', 'jpeg', 'webp'] },
  });
  if (!files || files.length === 0) {
    await session.refresh();
    return;
  }
  const written = await attach(root.fsPath, character, files.map((f) => f.fsPath));
  await session.refresh();
  void vscode.window.showInformationMessage(`Attached ${written.length} ${written.length === 1 ? 'image' : 'images'} to datasets/${character.id}.`);
}

/** Asks for the responsible-use confirmation the first time a character gets training images, and records it. */
export async function ensureConsent(root: string, character: Character): Promise<void> {
  if (character.consentAt) return;
  const confirm = 'I Confirm';
  const answer = await vscode.window.showWarningMessage(
    `Training images for ${character.name}`,
    { modal: true, detail: `${responsibleUseStatement}\n\nStudioNOVA asks once per character and records your answer in characters/${character.id}/consent.json.` },
    confirm,
  );
  if (answer !== confirm) throw new CancelledError();
  await recordConsent(root, character.id, new Date());
}

async function pickCharacter(characters: readonly Character[]): Promise<Character> {
  if (characters.length === 0) throw new Error('There is no character yet: run "StudioNOVA: New Character" first.');
  const picked = await vscode.window.showQuickPick(
    characters.map((c) => ({ label: c.name, description: c.trigger ?? '', character: c })),
    { title: 'Attach Training Images', placeHolder: 'Which character?' },
  );
  if (!picked) throw new CancelledError();
  return picked.character;
}
