import * as vscode from 'vscode';
import { checkId, checkTrigger, createCharacter, suggestId, suggestTrigger } from '../../core/studio/create';
import { CancelledError } from '../../core/util/errors';
import type { StudioSession } from '../studioSession';
import { requireStudio } from './requireStudio';

/** Asks for name, id, trigger word, class and description, one box after another, then writes character.md. */
export async function newCharacter(session: StudioSession): Promise<void> {
  const root = await requireStudio(session);
  const index = await session.index();
  const taken = new Set(index.characters.list().map((c) => c.id));
  const step = (n: number): string => `New Character (${n}/5)`;

  const name = await ask({ title: step(1), prompt: 'Character name', placeHolder: 'Mira Vale', validate: (v) => (v.trim() ? undefined : 'A character needs a name.') });
  const id = await ask({
    title: step(2),
    prompt: 'Character id: the folder name under characters/ and the name prompt files use',
    value: suggestId(name),
    validate: (v) => checkId(v) ?? (taken.has(v) ? `characters/${v} already exists.` : undefined),
  });
  const trigger = await ask({ title: step(3), prompt: 'Trigger word: the token that calls this character in prompts and LoRA training', value: suggestTrigger(id), validate: checkTrigger });
  const characterClass = await ask({ title: step(4), prompt: 'Class: what the character is, for regularization images (person, woman, man, girl, cat…)', value: 'person', validate: (v) => (v.trim() ? undefined : 'A class is needed, e.g. person.') });
  const description = await ask({ title: step(5), prompt: 'Description (optional): appearance and outfit, for prompts and captions', value: '' });

  const file = await createCharacter(root.fsPath, { id, name, trigger, class: characterClass.trim(), description: description.trim() || undefined });
  await session.refresh();
  await vscode.window.showTextDocument(vscode.Uri.joinPath(root, file), { preview: false });
}

async function ask(options: { title: string; prompt: string; value?: string; placeHolder?: string; validate?: (value: string) => string | undefined }): Promise<string> {
  const answer = await vscode.window.showInputBox({
    title: options.title,
    prompt: options.prompt,
    value: options.value ?? '',
    placeHolder: options.placeHolder ?? '',
    ignoreFocusOut: true,
    ...(options.validate ? { validateInput: options.validate } : {}),
  });
  if (answer === undefined) throw new CancelledError();
  return answer;
}
