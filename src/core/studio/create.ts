import { constants } from 'node:fs';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { AlreadyExistsError, InvalidInputError } from '../util/errors';
import { createFileExclusive, isErrnoException, pathExists, writeFileAtomic } from '../util/files';
import {
  characterFile,
  chapterFile,
  chapterId,
  chapterNumberOf,
  consentFile,
  datasetFile,
  datasetFolder,
  isImageFile,
  pageFile,
  studioFile,
  topFolders,
} from './layout';
import { characterText, chapterText, datasetJsonText, gitignoreText, pageText, studioJsonText } from './templates';

/**
 * Everything StudioNOVA creates in a studio. Each function creates new files only and fails with
 * AlreadyExistsError rather than overwrite anything a person made.
 */

const idPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** `Mira Vale` → `mira-vale`: a folder name that is safe everywhere. */
export function suggestId(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

/** `mira-vale` → `mira_vale_v1`: one token that a base model has never seen. */
export function suggestTrigger(id: string): string {
  return `${id.replace(/-/g, '_')}_v1`;
}

/** A message saying what is wrong with an id, or undefined when it is usable. */
export function checkId(id: string): string | undefined {
  if (idPattern.test(id)) return undefined;
  return 'Use lower-case letters, digits, "-" and "_" (at most 63), starting with a letter or digit.';
}

export function checkTrigger(trigger: string): string | undefined {
  return /^\S+$/.test(trigger) ? undefined : 'A trigger word is one word without spaces, e.g. mira_vale_v1.';
}

export interface CreateStudioResult {
  /** The folder already had a studio.json: nothing was created. */
  readonly alreadyStudio: boolean;
  readonly created: string[];
}

/** Turns a folder into a studio: studio.json, the folders, a sample character and chapter. */
export async function createStudio(root: string, name: string): Promise<CreateStudioResult> {
  if (await pathExists(path.join(root, studioFile))) return { alreadyStudio: true, created: [] };
  const created: string[] = [];
  const create = async (studioPath: string, text: string): Promise<void> => {
    try {
      await createFileExclusive(path.join(root, studioPath), text);
      created.push(studioPath);
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
  };
  await create(studioFile, studioJsonText(name));
  await Promise.all(topFolders.map((folder) => mkdir(path.join(root, folder), { recursive: true })));
  await create('.gitignore', gitignoreText);
  if (!(await pathExists(path.join(root, 'characters', sample.character.id)))) {
    await create(characterFile(sample.character.id), characterText(sample.character));
  }
  if (!(await pathExists(path.join(root, 'chapters', chapterId(1))))) {
    await create(chapterFile(chapterId(1)), chapterText(sample.chapter));
    await create(pageFile(chapterId(1), 1), pageText({ chapter: 1, page: 1, character: sample.character.id, trigger: sample.character.trigger }));
  }
  return { alreadyStudio: false, created };
}

const sample = {
  character: {
    id: 'spyke',
    name: 'Spyke',
    trigger: 'spyke_plasma_v1',
    class: 'man',
    description: 'A courier with plasma-blue spiked hair, a scarred leather jacket and a grin.',
  },
  chapter: { number: 1, title: 'Neon Run', synopsis: 'Spyke races a delivery through the rain.' },
} as const;

export interface NewCharacter {
  readonly id: string;
  readonly name: string;
  readonly trigger: string;
  readonly class: string;
  readonly description?: string | undefined;
}

/** Writes characters/<id>/character.md and returns its studio path. */
export async function createCharacter(root: string, character: NewCharacter): Promise<string> {
  const problem = checkId(character.id) ?? checkTrigger(character.trigger) ?? (character.name.trim() ? undefined : 'A character needs a name.');
  if (problem) throw new InvalidInputError(problem);
  if (await pathExists(path.join(root, 'characters', character.id))) {
    throw new AlreadyExistsError(`A character "${character.id}"`, `characters/${character.id}`);
  }
  const file = characterFile(character.id);
  await createFileExclusive(path.join(root, file), characterText({ ...character, name: character.name.trim() }), 'A character');
  return file;
}

/** Creates the next chapter (chapter.md and its first page) and returns the chapter file. */
export async function createChapter(root: string, title: string): Promise<string> {
  if (!title.trim()) throw new InvalidInputError('A chapter needs a title.');
  const existing = await listNames(path.join(root, 'chapters'));
  const number = Math.max(0, ...existing.map(chapterNumberOf)) + 1;
  const id = chapterId(number);
  const file = chapterFile(id);
  await createFileExclusive(path.join(root, file), chapterText({ number, title: title.trim() }), 'A chapter');
  await createFileExclusive(path.join(root, pageFile(id, 1)), pageText({ chapter: number, page: 1 }), 'A page');
  return file;
}

/** Creates the next page of a chapter and returns its studio path. */
export async function createPage(root: string, chapter: string, character?: { id: string; trigger: string | undefined }): Promise<string> {
  const names = await listNames(path.join(root, 'chapters', chapter));
  const pages = names.map((name) => /^p(\d+)\.page\.md$/.exec(name)?.[1]).filter((n) => n !== undefined).map(Number);
  const number = Math.max(0, ...pages) + 1;
  const file = pageFile(chapter, number);
  await createFileExclusive(
    path.join(root, file),
    pageText({ chapter: chapterNumberOf(chapter), page: number, character: character?.id, trigger: character?.trigger }),
    'A page',
  );
  return file;
}

/** The statement a person confirms before training images are attached to a character. */
export const responsibleUseStatement =
  'I have the rights to these images, and they do not show a real person who has not consented to being trained on.';

/** Records that the person confirmed the responsible-use statement for this character. */
export async function recordConsent(root: string, characterId: string, now: Date): Promise<void> {
  const record = { confirmedAt: now.toISOString(), statement: responsibleUseStatement };
  await writeFileAtomic(path.join(root, consentFile(characterId)), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Copies images into the character's dataset folder, creating dataset.json on first use.
 * A name that is taken gets a numbered suffix; nothing is overwritten.
 */
export async function attachTrainingImages(
  root: string,
  character: { readonly id: string; readonly trigger: string | undefined },
  sources: readonly string[],
): Promise<string[]> {
  const rejected = sources.filter((source) => !isImageFile(source));
  if (rejected.length > 0) {
    throw new InvalidInputError(`Only PNG, JPEG and WebP images can be attached: ${rejected.map((r) => path.basename(r)).join(', ')}`);
  }
  const folder = path.join(root, datasetFolder(character.id));
  await mkdir(folder, { recursive: true });
  try {
    await createFileExclusive(path.join(root, datasetFile(character.id)), datasetJsonText({ character: character.id, trigger: character.trigger }));
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
  }
  const written: string[] = [];
  for (const source of sources) {
    written.push(await copyWithoutOverwriting(source, folder));
  }
  return written.map((file) => path.relative(root, file).split(path.sep).join('/'));
}

async function copyWithoutOverwriting(source: string, folder: string): Promise<string> {
  const extension = path.extname(source);
  const stem = path.basename(source, extension);
  for (let attempt = 1; ; attempt++) {
    const target = path.join(folder, attempt === 1 ? `${stem}${extension}` : `${stem}-${attempt}${extension}`);
    try {
      await copyFile(source, target, constants.COPYFILE_EXCL);
      return target;
    } catch (error) {
      if (!(isErrnoException(error) && error.code === 'EEXIST')) throw error;
    }
  }
}

async function listNames(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return [];
    throw error;
  }
}
