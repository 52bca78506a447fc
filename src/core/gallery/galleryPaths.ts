import path from 'node:path';
import { InvalidInputError } from '../util/errors';
import { isInside } from '../util/files';

/** The folders the gallery may show images from: the studio's output, the thumbnails, and the extra roots. */
export function galleryFolders(root: string, thumbnails: string, galleryRoots: readonly string[]): string[] {
  return [path.join(root, 'output'), thumbnails, ...galleryRoots.map((galleryRoot) => path.resolve(root, galleryRoot))];
}

/**
 * Turns an image path sent by the gallery's webview into a file, or refuses it. The webview is
 * not trusted: the path must be relative, name an image the index knows, and stay inside the
 * studio or one of its gallery roots once resolved.
 */
export function resolveGalleryImage(root: string, galleryRoots: readonly string[], studioPath: string, isKnown: (studioPath: string) => boolean): string {
  if (studioPath.length === 0 || studioPath.includes('\0') || path.isAbsolute(studioPath) || /^[a-zA-Z]:/.test(studioPath)) {
    throw new InvalidInputError(`Refused the path "${studioPath}": the gallery only names images by their path in the studio.`);
  }
  const file = path.resolve(root, studioPath);
  const allowed = [root, ...galleryRoots.map((galleryRoot) => path.resolve(root, galleryRoot))];
  if (!allowed.some((folder) => isInside(folder, file))) {
    throw new InvalidInputError(`Refused the path "${studioPath}": it is outside the studio and its gallery roots.`);
  }
  if (!isKnown(studioPath)) throw new InvalidInputError(`${studioPath} is not an image of this studio's gallery (deleted meanwhile?).`);
  return file;
}
