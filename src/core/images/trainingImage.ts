import { InvalidInputError } from '../util/errors';
import { loadSharp } from './loadSharp';

/** A rectangle of the upright picture (EXIF orientation applied, as a viewer shows it), in its pixels. */
export interface CropRect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface TrainingImage {
  readonly png: Buffer;
  /** The part kept was smaller than the training resolution, so it was scaled up. */
  readonly enlarged: boolean;
}

/** Why `crop` cannot be cut from an upright picture of `width`×`height`; undefined when it can. */
export function cropProblem(crop: CropRect, width: number, height: number): string | undefined {
  const { left, top, width: w, height: h } = crop;
  if (![left, top, w, h].every(Number.isInteger)) return 'the crop must be whole pixels';
  if (left < 0 || top < 0) return 'the crop starts outside the image';
  if (w < 1 || h < 1) return 'the crop is empty';
  if (left + w > width || top + h > height) return `the crop ${w}×${h} at ${left},${top} reaches outside the ${width}×${height} image`;
  return undefined;
}

/**
 * A training image from any picture sharp reads: upright, the crop (or else the largest centred
 * square) scaled to `resolution`×`resolution`, as an 8-bit sRGB PNG. A rectangle that is not
 * square loses its edges to the centred square of it, since training images are square.
 * Transparency is flattened onto white: sd-scripts drops the alpha channel when it loads an
 * image, which would show whatever colour the transparent pixels happen to hold, often black.
 * Throws `InvalidInputError` for a crop that does not fit, and sharp's error for an unreadable file.
 */
export async function toTrainingImage(input: Buffer | string, resolution: number, crop?: CropRect): Promise<TrainingImage> {
  const sharp = await loadSharp();
  // 'error', not the default 'warning': harmless oddities pass, a truncated file fails.
  const metadata = await sharp(input, { failOn: 'error' }).metadata();
  const upright = metadata.autoOrient;
  if (crop) {
    const problem = cropProblem(crop, upright.width, upright.height);
    if (problem) throw new InvalidInputError(`Cannot crop: ${problem}.`);
  }
  const kept = crop ?? upright;
  let pipeline = sharp(input, { failOn: 'error' }).rotate();
  // extract after rotate() cuts from the upright picture, in the coordinates the crop is given in.
  if (crop) pipeline = pipeline.extract(crop);
  const png = await pipeline
    .resize({ width: resolution, height: resolution, fit: 'cover', position: 'centre' })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .png()
    .toBuffer();
  return { png, enlarged: Math.min(kept.width, kept.height) < resolution };
}

/** A picture's size as a viewer shows it (EXIF orientation applied): the pixels a crop is given in. */
export async function uprightSize(input: Buffer | string): Promise<{ width: number; height: number }> {
  const sharp = await loadSharp();
  const { autoOrient } = await sharp(input, { failOn: 'error' }).metadata();
  return { width: autoOrient.width, height: autoOrient.height };
}

/** The picture mirrored left to right (sharp's `flop`; its `flip` is top to bottom), as a PNG. */
export async function flipHorizontal(input: Buffer | string): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(input, { failOn: 'error' }).rotate().flop().png().toBuffer();
}
