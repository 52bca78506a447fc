import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { applyEdits, modify, parse, type ParseError } from 'jsonc-parser';
import { studioFile } from '../studio/layout';
import { InvalidInputError } from '../util/errors';
import { isInside, writeFileAtomic } from '../util/files';

/**
 * Adds a folder to `gallery.roots` in studio.json, keeping the file's comments and layout. A
 * folder inside the studio is written relative to it, so the studio can move; one outside, as
 * given. Returns false when the folder was there already.
 */
export async function addGalleryRoot(root: string, folder: string): Promise<boolean> {
  const file = path.join(root, studioFile);
  const text = await readFile(file, 'utf8');
  const errors: ParseError[] = [];
  const json = parse(text, errors, { allowTrailingComma: true }) as { gallery?: { roots?: unknown } } | undefined;
  if (errors.length > 0 || typeof json !== 'object' || json === null) throw new InvalidInputError(`${studioFile} cannot be read as JSON: fix it first, then add the folder again.`);
  const entry = isInside(root, folder) ? path.relative(root, folder).split(path.sep).join('/') || '.' : folder;
  const current = Array.isArray(json.gallery?.roots) ? (json.gallery.roots as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  if (current.some((existing) => path.resolve(root, existing) === path.resolve(root, entry))) return false;
  const edits = modify(text, ['gallery', 'roots'], [...current, entry], { formattingOptions: { insertSpaces: true, tabSize: 2 } });
  await writeFileAtomic(file, applyEdits(text, edits));
  return true;
}
