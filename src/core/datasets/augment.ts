import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { flipHorizontal } from '../images/trainingImage';
import { stemOf } from '../studio/layout';
import { errorMessage, InvalidInputError } from '../util/errors';
import { isErrnoException } from '../util/files';
import { sha256Hex } from './contentHash';
import { captionNameOf, readDatasetListing } from './datasetListing';
import { type DerivedEntry, readDerivedManifest, writeDerivedManifest } from './derivedManifest';
import { datasetStemNames, type NewFile, writeUnderFreeStem } from './freeNames';

export interface AugmentOptions {
  /** Stops between images; an image and its caption are written together or not at all. */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: { readonly done: number; readonly total: number; readonly image: string }) => void) | undefined;
}

/** Paths are absolute. */
export interface FlipReport {
  readonly made: Array<{ readonly from: string; readonly image: string; readonly caption: string | undefined }>;
  /** Images that already have their flip. */
  readonly skipped: Array<{ readonly image: string; readonly reason: string }>;
  readonly failed: Array<{ readonly image: string; readonly reason: string }>;
  readonly cancelled: boolean;
}

export interface RemoveDerivedReport {
  /** The files removed, absolute. */
  readonly removed: string[];
  /** Derived images left in place because a person changed them, with their file and why. */
  readonly kept: Array<{ readonly image: string; readonly reason: string }>;
}

/**
 * Adds a horizontal flip of every image that is not itself derived: `<stem>_flip.png` with a copy
 * of the caption as `<stem>_flip.txt` (a taken name moves on to `<stem>_flip-2`…), each recorded
 * in derived.json as it is made. An image whose flip is there already is skipped, so running it
 * twice adds nothing. The caption is copied as is: one that says "facing left" needs a look.
 */
export async function addFlips(folder: string, options: AugmentOptions = {}): Promise<FlipReport> {
  const report: FlipReport = { made: [], skipped: [], failed: [], cancelled: false };
  const entries = [...(await readEntries(folder))];
  const listing = await readDatasetListing(folder);
  // Names in the record stay reserved even once their files are gone: one name, one record.
  const taken = new Set([...listing.taken, ...entries.flatMap((entry) => [entry.image, entry.caption ?? '']).map((name) => name.toLowerCase())]);
  const derived = new Set(entries.map((entry) => entry.image));
  const flipped = new Set(entries.filter((entry) => listing.images.includes(entry.image)).map((entry) => entry.from));
  const sources = listing.images.filter((image) => !derived.has(image));

  for (const [index, image] of sources.entries()) {
    if (options.signal?.aborted) return { ...report, cancelled: true };
    if (flipped.has(image)) {
      report.skipped.push({ image: path.join(folder, image), reason: 'it has its flip already' });
    } else {
      try {
        const entry = await writeFlip(folder, image, listing.captions.includes(captionNameOf(image)), taken);
        try {
          await writeDerivedManifest(folder, [...entries, entry]);
        } catch (error) {
          // Unrecorded, the flip would pass for an original: it goes rather than stays unmarked.
          for (const name of [entry.image, entry.caption]) if (name) await rm(path.join(folder, name), { force: true });
          throw error;
        }
        entries.push(entry);
        report.made.push({ from: path.join(folder, image), image: path.join(folder, entry.image), caption: entry.caption && path.join(folder, entry.caption) });
      } catch (error) {
        report.failed.push({ image: path.join(folder, image), reason: errorMessage(error) });
      }
    }
    options.onProgress?.({ done: index + 1, total: sources.length, image: path.join(folder, image) });
  }
  return report;
}

async function writeFlip(folder: string, image: string, hasCaption: boolean, taken: Set<string>): Promise<DerivedEntry> {
  const png = await flipHorizontal(path.join(folder, image));
  const caption = hasCaption ? await readFile(path.join(folder, captionNameOf(image))) : undefined;
  const files: NewFile[] = [{ extension: '.png', data: png }, ...(caption ? [{ extension: '.txt', data: caption }] : [])];
  const [flipName, captionName] = await writeUnderFreeStem(folder, `${stemOf(image)}_flip`, files, { taken, blockingNames: datasetStemNames });
  return {
    image: flipName!,
    from: image,
    operation: 'flip-horizontal',
    sha256: sha256Hex(png),
    ...(caption && captionName ? { caption: captionName, captionSha256: sha256Hex(caption) } : {}),
  };
}

/**
 * Removes the derived images and their captions, exactly those derived.json records, and only
 * as they were made: one whose image or caption a person has changed since (or whose caption a
 * person has written) is kept, with its record, and reported. Removing by hand is for them.
 */
export async function removeDerived(folder: string): Promise<RemoveDerivedReport> {
  const report: RemoveDerivedReport = { removed: [], kept: [] };
  const remaining: DerivedEntry[] = [];
  for (const entry of await readEntries(folder)) {
    const image = await stateOf(path.join(folder, entry.image), entry.sha256);
    const captionName = entry.caption ?? captionNameOf(entry.image);
    const caption = await stateOf(path.join(folder, captionName), entry.captionSha256);
    const reasons = [reasonToKeep(entry.image, image), reasonToKeep(captionName, caption)].filter((reason) => reason !== undefined);
    if (reasons.length > 0) {
      remaining.push(entry);
      report.kept.push({ image: path.join(folder, entry.image), reason: reasons.join('; ') });
      continue;
    }
    for (const [name, state] of [[entry.image, image], [captionName, caption]] as const) {
      if (state !== 'unchanged') continue;
      await rm(path.join(folder, name), { force: true });
      report.removed.push(path.join(folder, name));
    }
  }
  await writeDerivedManifest(folder, remaining);
  return report;
}

type FileState = 'missing' | 'unchanged' | 'changed' | 'added';

function reasonToKeep(name: string, state: FileState): string | undefined {
  if (state === 'changed') return `${name} changed since it was made`;
  if (state === 'added') return `${name} was written after the flip was made`;
  return undefined;
}

/** Whether a derived file is as made; `added` where none was made (no hash) and one is there now. */
async function stateOf(file: string, sha256: string | undefined): Promise<FileState> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return 'missing';
    throw error;
  }
  if (sha256 === undefined) return 'added';
  return sha256Hex(bytes) === sha256 ? 'unchanged' : 'changed';
}

/** A damaged derived.json cannot tell flips from originals: better to stop than to guess. */
async function readEntries(folder: string): Promise<readonly DerivedEntry[]> {
  const manifest = await readDerivedManifest(folder, 'derived.json');
  if (manifest.problems.length > 0) {
    throw new InvalidInputError(`derived.json in ${folder} is damaged (${manifest.problems[0]!.message}): fix it, or delete it together with the flipped images.`);
  }
  return manifest.entries;
}
