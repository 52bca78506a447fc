import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadSharp } from '../../src/core/images/loadSharp';

export type Rgb = readonly [number, number, number];

export const red: Rgb = [255, 0, 0];
export const green: Rgb = [0, 255, 0];
export const blue: Rgb = [0, 0, 255];

/**
 * Writes an image whose columns left of `split` are `left` and the rest `right`, in the format
 * its extension names (png, jpg, webp). Flat colours, so a crop or a flip shows in single pixels.
 */
export async function writeSplitImage(file: string, width: number, height: number, split: number, left: Rgb, right: Rgb, orientation?: number): Promise<void> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set(x < split ? left : right, (y * width + x) * 3);
  }
  const sharp = await loadSharp();
  await mkdir(path.dirname(file), { recursive: true });
  let image = sharp(pixels, { raw: { width, height, channels: 3 } });
  if (orientation) image = image.withMetadata({ orientation });
  const format = path.extname(file).slice(1).toLowerCase();
  const encoded = format === 'jpg' || format === 'jpeg' ? image.jpeg({ quality: 100 }) : format === 'webp' ? image.webp({ lossless: true }) : image.png();
  await writeFile(file, await encoded.toBuffer());
}

/** A plain image of one colour as a PNG; `compressionLevel` changes the bytes, not the picture. */
export async function writeSolidPng(file: string, size: number, colour: Rgb, compressionLevel = 6): Promise<void> {
  await writeSplitImage(file, size, size, size, colour, colour);
  if (compressionLevel !== 6) {
    const sharp = await loadSharp();
    await writeFile(file, await sharp(file).png({ compressionLevel }).toBuffer());
  }
}

/** The colour of one pixel, as 8-bit RGB. */
export async function pixelAt(file: string, x: number, y: number): Promise<Rgb> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [data[offset]!, data[offset + 1]!, data[offset + 2]!];
}

/** Whether two colours are equal within a few levels, as JPEG allows. */
export function near(actual: Rgb, expected: Rgb, tolerance = 8): boolean {
  return actual.every((value, i) => Math.abs(value - expected[i]!) <= tolerance);
}

export async function sizeOf(file: string): Promise<{ width: number; height: number; format: string | undefined }> {
  const sharp = await loadSharp();
  const { width, height, format } = await sharp(file).metadata();
  return { width, height, format };
}
