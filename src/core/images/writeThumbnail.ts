import { loadSharp } from './loadSharp';

/** Writes a thumbnail of the image `input` to `output`, its longer side at most `longerSide` pixels. */
export type ThumbnailEncoder = (input: string, output: string, longerSide: number) => Promise<void>;

/**
 * The gallery's thumbnail: upright (EXIF orientation applied), fitted inside a square of
 * `longerSide`, never enlarged, as WebP. The format is set explicitly, so `output` may have any
 * extension (a temporary name, for instance).
 */
export async function writeThumbnail(input: string, output: string, longerSide: number): Promise<void> {
  const sharp = await loadSharp();
  // 'error' rather than the default 'warning': an image with a harmless warning still gets a
  // thumbnail, while a truncated or corrupt one fails at once instead of yielding a partial picture.
  await sharp(input, { failOn: 'error' })
    .rotate()
    .resize({ width: longerSide, height: longerSide, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toFile(output);
}
