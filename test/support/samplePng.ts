import { loadSharp } from '../../src/core/images/loadSharp';

/**
 * Writes a PNG with content that varies with `seed` (waves, a checker pattern and grain), so that
 * decoding and encoding cost what a generated picture costs, not what a flat colour does.
 */
export async function writeSamplePng(file: string, width: number, height: number, seed: number): Promise<void> {
  const pixels = Buffer.alloc(width * height * 3);
  let state = seed * 7919 + 1;
  const random = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const fx = 0.01 + random() * 0.05;
  const fy = 0.01 + random() * 0.05;
  const phase = random() * 6;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      const wave = Math.sin(x * fx + phase) * Math.cos(y * fy) * 0.5 + 0.5;
      pixels[offset] = wave * 255;
      pixels[offset + 1] = ((x >> 4) ^ (y >> 4)) & 1 ? 200 - (seed % 50) : 40 + (seed % 50);
      pixels[offset + 2] = (wave * 128 + random() * 48 + (y >> 2)) & 255;
    }
  }
  const sharp = await loadSharp();
  await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toFile(file);
}
