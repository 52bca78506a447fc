import { readdir } from 'node:fs/promises';
import { isImageFile, stemOf } from '../studio/layout';
import { isErrnoException } from '../util/files';

/** The files directly in a dataset folder that training reads: images and their captions, by name. */
export interface DatasetListing {
  /** Image file names, sorted. */
  readonly images: readonly string[];
  /** Caption file names (`<stem>.txt`), sorted. */
  readonly captions: readonly string[];
  /** Every name in the folder, lower-cased: what a new file must not be called. */
  readonly taken: ReadonlySet<string>;
}

export const captionNameOf = (imageName: string): string => `${stemOf(imageName)}.txt`;

export const isCaptionFile = (name: string): boolean => name.toLowerCase().endsWith('.txt');

/**
 * Lists a dataset folder without entering its subfolders: `originals/` and anything else below
 * is not training data, as in the studio's own classifier. A missing folder is an empty dataset.
 */
export async function readDatasetListing(folder: string): Promise<DatasetListing> {
  let entries: Array<{ name: string; isFile(): boolean }>;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') entries = [];
    else throw error;
  }
  const files = entries.filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
  return {
    images: files.filter(isImageFile),
    captions: files.filter(isCaptionFile),
    taken: new Set(entries.map((entry) => entry.name.toLowerCase())),
  };
}
