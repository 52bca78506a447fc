import { readFile } from 'node:fs/promises';
import { loadSharp } from './loadSharp';

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const jpegSignature = [0xff, 0xd8, 0xff];

/** PNG or JPEG, by their first bytes: the only formats Ollama's vision models decode. */
export function isPngOrJpeg(bytes: Uint8Array): boolean {
  const startsWith = (signature: readonly number[]): boolean => signature.every((byte, index) => bytes[index] === byte);
  return startsWith(pngSignature) || startsWith(jpegSignature);
}

/**
 * The bytes of an image as a vision model can take them. Dataset images are PNGs already and go
 * as they are; anything else (a WebP left in the folder) is converted to PNG with sharp, which is
 * loaded only then.
 */
export async function readVisionImage(file: string): Promise<Uint8Array> {
  const bytes = await readFile(file);
  if (isPngOrJpeg(bytes)) return bytes;
  const sharp = await loadSharp();
  return sharp(bytes).png().toBuffer();
}
