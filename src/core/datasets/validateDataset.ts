import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadSharp } from '../images/loadSharp';
import type { Problem, TextRange } from '../model/problem';
import type { DatasetKind } from '../model/studio';
import { datasetDerivedName } from '../studio/layout';
import { errorMessage } from '../util/errors';
import { toStudioPath } from '../util/files';
import { captionHasTrigger, captionLine } from './captions';
import { pixelHashOf } from './contentHash';
import { captionNameOf, readDatasetListing } from './datasetListing';
import { readDatasetSettings } from './datasetSettings';
import { readDerivedManifest } from './derivedManifest';

/** product.md: a character LoRA wants 15–20 images of the character, flips not counted. */
export const characterImageRange = { min: 15, max: 20 } as const;

export interface DatasetCheckOptions {
  /**
   * The studio the dataset belongs to: problems name files relative to it, and the character's
   * trigger word comes from it when dataset.json has none. Outside a studio, problems name files
   * relative to the dataset folder's parent (`spyke/spyke_001.png`).
   */
  readonly studioRoot?: string | undefined;
  /** Decode every image to find duplicates (the default); false reads image headers only. */
  readonly findDuplicates?: boolean | undefined;
}

export interface DatasetSummary {
  readonly kind: DatasetKind;
  readonly resolution: number;
  readonly trigger: string | undefined;
  /** Every image in the folder, flips included. */
  readonly images: number;
  /** Of them, made from another image (flips; see derivedManifest.ts). */
  readonly derived: number;
  /** Images with a caption file. */
  readonly captioned: number;
  readonly errors: number;
  readonly warnings: number;
  /** How many findings there are of each problem code. */
  readonly findings: Readonly<Record<string, number>>;
}

export interface DatasetCheck {
  readonly problems: Problem[];
  readonly summary: DatasetSummary;
}

const startOfFile: TextRange = { startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 };

/**
 * The report on a dataset before training: each image's caption (missing, empty, without the
 * trigger word), size (not the training resolution) and readability, duplicate pictures, captions
 * without an image, and for a character dataset an image count outside 15–20 (a warning).
 * Reads the files and changes nothing. Sizes come from image headers; finding duplicates decodes
 * each image once, since a duplicate is the same picture (`pixelHashOf`), not the same bytes.
 */
export async function validateDataset(folder: string, options: DatasetCheckOptions = {}): Promise<DatasetCheck> {
  const base = options.studioRoot ?? path.dirname(folder);
  const nameOf = (name: string): string => toStudioPath(base, path.join(folder, name));
  const settings = await readDatasetSettings(folder, { file: nameOf('dataset.json'), studioRoot: options.studioRoot });
  const derived = await readDerivedManifest(folder, nameOf(datasetDerivedName));
  const listing = await readDatasetListing(folder);
  const problems: Problem[] = [...settings.problems, ...derived.problems];
  const isCharacter = settings.kind === 'character';
  // Regularization images teach the class, not the character: their captions need no trigger.
  const captionSeverity = isCharacter ? 'error' : 'warning';
  const captions = new Set(listing.captions);
  const sourceOf = new Map(derived.entries.filter((entry) => listing.images.includes(entry.image)).map((entry) => [entry.image, entry.from]));
  const readable: string[] = [];

  if (isCharacter && !settings.trigger) {
    problems.push({
      file: nameOf('dataset.json'),
      range: startOfFile,
      severity: 'warning',
      code: 'dataset.no-trigger',
      message: 'No trigger word, so captions cannot be checked for it: add "trigger" to dataset.json or to the character\'s character.md.',
    });
  }

  for (const image of listing.images) {
    const size = await imageSize(path.join(folder, image));
    if (typeof size === 'string') {
      problems.push({ file: nameOf(image), range: startOfFile, severity: 'error', code: 'dataset.unreadable-image', message: `${image} cannot be read as an image (${size}): replace it or delete it.` });
    } else {
      readable.push(image);
      if (size.width !== settings.resolution || size.height !== settings.resolution) {
        problems.push({
          file: nameOf(image),
          range: startOfFile,
          severity: 'error',
          code: 'dataset.wrong-size',
          message: `${image} is ${size.width}×${size.height}; this dataset trains at ${settings.resolution}×${settings.resolution}: import it again with StudioNOVA (it crops and scales), or crop it to that size.`,
        });
      }
    }
    const caption = captionNameOf(image);
    if (!captions.has(caption)) {
      problems.push({ file: nameOf(image), range: startOfFile, severity: captionSeverity, code: 'dataset.caption-missing', message: `${image} has no caption: write ${caption}${captionHint(settings.trigger, isCharacter)}.` });
      continue;
    }
    problems.push(...checkCaption(await readFile(path.join(folder, caption), 'utf8'), nameOf(caption), settings.trigger, isCharacter));
  }

  const imageStems = new Set(listing.images.map(captionNameOf));
  for (const caption of listing.captions.filter((name) => !imageStems.has(name))) {
    problems.push({ file: nameOf(caption), range: startOfFile, severity: 'warning', code: 'dataset.caption-orphan', message: `${caption} has no image of the same name: rename it to match its image, or delete it.` });
  }

  if (options.findDuplicates ?? true) {
    problems.push(...(await findDuplicates(folder, readable, sourceOf, nameOf)));
  }

  const sourceImages = listing.images.length - sourceOf.size;
  if (isCharacter && (sourceImages < characterImageRange.min || sourceImages > characterImageRange.max)) {
    problems.push({
      file: settings.declared ? nameOf('dataset.json') : toStudioPath(base, folder),
      range: startOfFile,
      severity: 'warning',
      code: 'dataset.image-count',
      message: imageCountMessage(sourceImages),
    });
  }

  return { problems, summary: summarize(problems, settings, listing.images.length, sourceOf.size, listing.images.filter((image) => captions.has(captionNameOf(image))).length) };
}

/** The findings about one caption file's text. */
function checkCaption(text: string, file: string, trigger: string | undefined, isCharacter: boolean): Problem[] {
  const line = captionLine(text);
  const range: TextRange = { startLine: 0, startColumn: 0, endLine: 0, endColumn: text.split(/\r?\n/, 1)[0]!.length };
  const name = path.posix.basename(file);
  if (line === '') {
    return [{ file, range, severity: isCharacter ? 'error' : 'warning', code: 'dataset.caption-empty', message: `${name} is empty${text.trim() === '' ? '' : ' on its first line, the only one training reads'}: describe the image${captionHint(trigger, isCharacter)}.` }];
  }
  if (isCharacter && trigger && !captionHasTrigger(line, trigger)) {
    return [{ file, range, severity: 'error', code: 'dataset.caption-no-trigger', message: `${name} does not name the trigger word "${trigger}": start it with "${trigger}, ".` }];
  }
  return [];
}

function captionHint(trigger: string | undefined, isCharacter: boolean): string {
  return isCharacter ? ` as "${trigger ?? '<trigger>'}, framing, pose/action, background"` : '';
}

/** Width and height from the image's header, or why it cannot be read. */
async function imageSize(file: string): Promise<{ width: number; height: number } | string> {
  const sharp = await loadSharp();
  try {
    const { width, height } = await sharp(file).metadata();
    return { width, height };
  } catch (error) {
    return errorMessage(error).trim();
  }
}

/**
 * One finding per image whose picture an earlier image already has. A flip is not a duplicate
 * of its own source, even of a symmetric one: it was made on purpose. An image whose pixels
 * cannot be decoded, although its header could be read, is unreadable.
 */
async function findDuplicates(
  folder: string,
  images: readonly string[],
  sourceOf: ReadonlyMap<string, string>,
  nameOf: (name: string) => string,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const byHash = new Map<string, string[]>();
  for (const image of images) {
    let hash: string;
    try {
      hash = await pixelHashOf(path.join(folder, image));
    } catch (error) {
      problems.push({ file: nameOf(image), range: startOfFile, severity: 'error', code: 'dataset.unreadable-image', message: `${image} is damaged (${errorMessage(error).trim()}): replace it or delete it.` });
      continue;
    }
    const same = byHash.get(hash) ?? [];
    const related = (other: string): boolean => sourceOf.get(image) === other || sourceOf.get(other) === image;
    const original = same.find((other) => !related(other));
    if (original) {
      problems.push({ file: nameOf(image), range: startOfFile, severity: 'error', code: 'dataset.duplicate', message: `${image} is the same picture as ${original}: delete one of them, or it trains twice as much.` });
    }
    byHash.set(hash, [...same, image]);
  }
  return problems;
}

function imageCountMessage(count: number): string {
  const { min, max } = characterImageRange;
  const images = `${count} ${count === 1 ? 'image' : 'images'}`;
  return count < min
    ? `${images} (flips not counted); a character LoRA wants ${min}–${max}: add ${min - count} or more.`
    : `${images} (flips not counted); a character LoRA wants ${min}–${max}: keep the best ${max}, or split the rest into another dataset.`;
}

function summarize(problems: readonly Problem[], settings: { kind: DatasetKind; resolution: number; trigger: string | undefined }, images: number, derived: number, captioned: number): DatasetSummary {
  const findings: Record<string, number> = {};
  for (const { code } of problems) findings[code] = (findings[code] ?? 0) + 1;
  return {
    kind: settings.kind,
    resolution: settings.resolution,
    trigger: settings.trigger,
    images,
    derived,
    captioned,
    errors: problems.filter((p) => p.severity === 'error').length,
    warnings: problems.filter((p) => p.severity === 'warning').length,
    findings,
  };
}
