import { createHash } from 'node:crypto';
import { loadSharp } from '../images/loadSharp';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * What makes two dataset images the same picture: sha256 of the decoded pixels, upright, as
 * 8-bit sRGB with alpha, together with the size. It ignores what a file's bytes differ in
 * without the picture differing: format, compression level, text chunks, EXIF. Import and
 * validation both use it, so an image imported twice from two copies is found either way.
 * Throws when the image cannot be decoded.
 */
export async function pixelHashOf(input: string | Buffer): Promise<string> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(input, { failOn: 'error' })
    .rotate()
    .toColourspace('srgb')
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return createHash('sha256').update(`${info.width}x${info.height}\n`).update(data).digest('hex');
}
