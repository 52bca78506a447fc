import { rm } from 'node:fs/promises';
import path from 'node:path';
import { AlreadyExistsError, InvalidInputError } from '../util/errors';
import { writeFileExclusiveAtomic } from '../util/files';

/** One file to write under the stem that is chosen: `<stem><extension>`. */
export interface NewFile {
  readonly extension: string;
  readonly data: string | Uint8Array;
}

export interface FreeStemOptions {
  /** Lower-cased names already in the folder; the names written are added to it. */
  readonly taken: Set<string>;
  /** The names that must be free for a stem to be used; by default those of `files` themselves. */
  readonly blockingNames?: (stem: string) => readonly string[];
}

/** The dataset pairs images and captions by stem, so a stem is taken by any image or caption of it. */
export const datasetStemNames = (stem: string): string[] => ['.png', '.jpg', '.jpeg', '.webp', '.txt'].map((extension) => `${stem}${extension}`);

/** Far more than any folder holds; only a bug could loop this long. */
const maxAttempts = 10_000;

/**
 * Writes files that share one new stem in `folder`: `<stem>`, else `<stem>-2`, `<stem>-3`…, the
 * first whose blocking names are all free. Names compare without case, as on macOS and Windows.
 * Each write is atomic and never replaces a file; when a name is taken meanwhile, what this call
 * wrote under that stem is removed again and the next stem is tried. Returns the names written,
 * in the order of `files`.
 */
export async function writeUnderFreeStem(folder: string, stem: string, files: readonly NewFile[], options: FreeStemOptions): Promise<string[]> {
  const blocking = options.blockingNames ?? ((candidate: string) => files.map((file) => `${candidate}${file.extension}`));
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const candidate = attempt === 1 ? stem : `${stem}-${attempt}`;
    if (blocking(candidate).some((name) => options.taken.has(name.toLowerCase()))) continue;
    const written: string[] = [];
    try {
      for (const file of files) {
        const name = `${candidate}${file.extension}`;
        await writeFileExclusiveAtomic(path.join(folder, name), file.data);
        written.push(name);
        options.taken.add(name.toLowerCase());
      }
      return written;
    } catch (error) {
      // Only files this call created are removed: they were made a moment ago and nobody has them yet.
      for (const name of written) await rm(path.join(folder, name), { force: true });
      if (!(error instanceof AlreadyExistsError)) throw error;
      for (const name of blocking(candidate)) options.taken.add(name.toLowerCase());
    }
  }
  throw new InvalidInputError(`No free name for ${stem} in ${folder}.`);
}

