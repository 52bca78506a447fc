import type Sharp from 'sharp';

export type SharpModule = typeof Sharp;

let loading: Promise<SharpModule> | undefined;

/**
 * sharp, loaded on first use: it is a native module with its own copy of libvips, far too heavy
 * to load while the extension activates. Its process-wide settings are made here, once.
 */
export function loadSharp(): Promise<SharpModule> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    // libvips' operation cache keeps recent decoded inputs for reuse. Thumbnails read each image
    // once, so over a large gallery it would only hold memory that nobody asks for again.
    sharp.cache(false);
    return sharp;
  });
  return loading;
}
