import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod/mini';
import type { Problem } from '../model/problem';
import { datasetDerivedName } from '../studio/layout';
import { parseJsonDocument } from '../text/jsonDocument';
import { validate } from '../text/validate';
import { isErrnoException, writeFileAtomic } from '../util/files';

/**
 * `datasets/<id>/derived.json` records the images StudioNOVA made from others (augmentation),
 * so that they are not counted as originals, not taken for duplicates of their source, and can
 * be removed again exactly. A file of its own rather than a list in dataset.json: dataset.json
 * is the person's file, and this one is written by a machine, entry by entry.
 */

/** A file name directly in the dataset folder: never a path, so removal cannot reach elsewhere. */
const fileName = z.string().check(z.regex(/^(?!\.\.?$)[^\\/]+$/, 'must be a file name in the dataset folder'));
const sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex'));

const derivedEntrySchema = z.looseObject({
  /** The derived image, e.g. `spyke_001_flip.png`. */
  image: fileName,
  /** The image it was made from. */
  from: fileName,
  operation: z.literal('flip-horizontal'),
  /** sha256 of the image file's bytes as written: a changed file is the person's, and kept. */
  sha256,
  /** The caption copied with it, when its source had one. */
  caption: z.optional(fileName),
  captionSha256: z.optional(sha256),
});

const derivedManifestSchema = z.looseObject({ derived: z.array(derivedEntrySchema) });

export type DerivedEntry = z.infer<typeof derivedEntrySchema>;

export interface DerivedManifest {
  readonly entries: readonly DerivedEntry[];
  /** What is wrong with derived.json; a damaged file yields no entries. */
  readonly problems: Problem[];
}

/** Reads `<folder>/derived.json`; `file` is how problems name it. No file, no derived images. */
export async function readDerivedManifest(folder: string, file: string): Promise<DerivedManifest> {
  let text: string;
  try {
    text = await readFile(path.join(folder, datasetDerivedName), 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return { entries: [], problems: [] };
    throw error;
  }
  const json = parseJsonDocument(file, text);
  if (json.data === undefined) return { entries: [], problems: json.problems };
  const checked = validate(derivedManifestSchema, json.data, { file, locate: json.locate }, 'dataset.derived-invalid');
  return { entries: checked.value?.derived ?? [], problems: checked.problems };
}

/** Writes the record atomically; with no entries left the file goes, as it came with the first. */
export async function writeDerivedManifest(folder: string, entries: readonly DerivedEntry[]): Promise<void> {
  const file = path.join(folder, datasetDerivedName);
  if (entries.length === 0) {
    await rm(file, { force: true });
    return;
  }
  await writeFileAtomic(file, `${JSON.stringify({ derived: entries }, null, 2)}\n`);
}
