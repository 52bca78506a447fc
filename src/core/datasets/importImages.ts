import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { type CropRect, toTrainingImage } from '../images/trainingImage';
import { datasetOriginalsName } from '../studio/layout';
import { errorMessage } from '../util/errors';
import { isErrnoException } from '../util/files';
import { pixelHashOf } from './contentHash';
import { readDatasetListing } from './datasetListing';
import { readDatasetSettings } from './datasetSettings';
import { datasetStemNames, writeUnderFreeStem } from './freeNames';

/** A file to import, with the part of it to keep; without a crop, the centred square is kept. */
export interface ImportSource {
  readonly file: string;
  readonly crop?: CropRect | undefined;
}

export interface ImportProgress {
  readonly done: number;
  readonly total: number;
  /** The source just handled. */
  readonly source: string;
}

export interface ImportOptions {
  /** Stops between images: the image in hand is finished or not started, never half written. */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: ImportProgress) => void) | undefined;
}

/** Paths are absolute: `source` as given, `image` the training image, `original` the copy kept. */
export interface ImportReport {
  readonly imported: Array<{ readonly source: string; readonly image: string; readonly original: string; readonly enlarged: boolean }>;
  /** Skipped: the same picture is already in the dataset, or came earlier in this batch. */
  readonly duplicates: Array<{ readonly source: string; readonly sameAs: string }>;
  readonly failed: Array<{ readonly source: string; readonly reason: string }>;
  /** The signal stopped the import before every source was handled. */
  readonly cancelled: boolean;
}

/**
 * Imports pictures into a dataset folder as training images: each upright, cropped and scaled
 * to the dataset's resolution (dataset.json `resolution`, 512 by default) and written as
 * `<its name>.png`, while the file itself is copied untouched into `originals/`. A picture the
 * dataset already has (by `pixelHashOf` of the training image: whatever the source's format or
 * metadata) is skipped. Names never replace a file: a taken one becomes `<name>-2`, `-3`…; each
 * file is written atomically. Each source that cannot be used is reported and the rest go on.
 */
export async function importImages(datasetFolder: string, sources: ReadonlyArray<string | ImportSource>, options: ImportOptions = {}): Promise<ImportReport> {
  const report: ImportReport = { imported: [], duplicates: [], failed: [], cancelled: false };
  const { resolution } = await readDatasetSettings(datasetFolder, { file: 'dataset.json' });
  const originalsFolder = path.join(datasetFolder, datasetOriginalsName);
  const listing = await readDatasetListing(datasetFolder);
  const taken = new Set(listing.taken);
  const originalsTaken = await namesIn(originalsFolder);
  const known = await hashesOf(listing.images.map((name) => path.join(datasetFolder, name)));

  for (const [index, item] of sources.entries()) {
    if (options.signal?.aborted) return { ...report, cancelled: true };
    const { file: source, crop } = typeof item === 'string' ? { file: item, crop: undefined } : item;
    try {
      const bytes = await readFile(source);
      const { png, enlarged } = await toTrainingImage(bytes, resolution, crop);
      const hash = await pixelHashOf(png);
      const sameAs = known.get(hash);
      if (sameAs) {
        report.duplicates.push({ source, sameAs });
      } else {
        const extension = path.extname(source);
        const stem = safeStem(path.basename(source, extension));
        const [originalName] = await writeUnderFreeStem(originalsFolder, stem, [{ extension, data: bytes }], { taken: originalsTaken });
        const original = path.join(originalsFolder, originalName!);
        let image: string;
        try {
          const [imageName] = await writeUnderFreeStem(datasetFolder, stem, [{ extension: '.png', data: png }], { taken, blockingNames: datasetStemNames });
          image = path.join(datasetFolder, imageName!);
        } catch (error) {
          // An original without its training image would only be clutter: it goes with the failure.
          await rm(original, { force: true });
          throw error;
        }
        known.set(hash, image);
        report.imported.push({ source, image, original, enlarged });
      }
    } catch (error) {
      report.failed.push({ source, reason: failureReason(error) });
    }
    options.onProgress?.({ done: index + 1, total: sources.length, source });
  }
  return report;
}

/** The pixel hash of each image already in the dataset; one that cannot be decoded matches nothing. */
async function hashesOf(images: readonly string[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const image of images) {
    try {
      const hash = await pixelHashOf(image);
      if (!hashes.has(hash)) hashes.set(hash, image);
    } catch {
      // Validation reports unreadable images; the import only needs the readable ones.
    }
  }
  return hashes;
}

/** Lower-cased names in a folder that may not exist yet: it is made with its first file. */
async function namesIn(folder: string): Promise<Set<string>> {
  try {
    return new Set((await readdir(folder)).map((name) => name.toLowerCase()));
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return new Set();
    throw error;
  }
}

/** A file name such as `.png` or `..jpg` would give a hidden or empty stem. */
function safeStem(stem: string): string {
  return stem.replace(/^\.+/, '') || 'image';
}

function failureReason(error: unknown): string {
  if (isErrnoException(error) && error.code === 'ENOENT') return 'the file does not exist';
  if (isErrnoException(error) && error.code === 'EISDIR') return 'it is a folder, not an image';
  const message = errorMessage(error);
  // sharp's words for a file it cannot decode; said so that a person knows what to do.
  if (/unsupported image format|corrupt|premature end|read error|bad seek|VipsJpeg|VipsPng|VipsWebp/i.test(message)) {
    return `not an image that can be read (${message.trim()})`;
  }
  return message;
}
