import type { Dirent } from 'node:fs';
import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { mapLimited } from '../util/mapLimited';
import { classifyStudioPath, isIgnoredFolder, isImageFile, type StudioPathRole } from './layout';

/** A file the studio tracks, with the fingerprint that tells whether it changed. */
export interface StudioFile {
  readonly path: string;
  readonly role: StudioPathRole;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Files stat-ed between two turns of the event loop. */
const statSlice = 256;

/**
 * Lists every file the studio tracks with its size and modification time. Reads no file
 * contents: the index re-reads only files whose fingerprint changed.
 */
export async function scanStudio(root: string): Promise<StudioFile[]> {
  return statFiles(root, await listTree(root, '', classifyStudioPath));
}

/**
 * Lists the images of the gallery's extra folders, each named by its path from the studio root
 * (`../ComfyUI/output/a.png` for a folder beside the studio). Files the studio tracks already
 * (a root inside output/) are left to the studio scan. A missing folder simply has no images.
 */
export async function scanGalleryRoots(root: string, galleryRoots: readonly string[], known: ReadonlySet<string>): Promise<StudioFile[]> {
  const candidates = new Map<string, { path: string; role: StudioPathRole }>();
  for (const galleryRoot of galleryRoots) {
    const prefix = path.relative(root, path.resolve(root, galleryRoot)).split(path.sep).join('/');
    const asImage = (studioPath: string): StudioPathRole | undefined =>
      isImageFile(studioPath) && !known.has(studioPath) ? { role: 'asset', generated: undefined, stage: undefined } : undefined;
    for (const candidate of await listTree(root, prefix, asImage)) candidates.set(candidate.path, candidate);
  }
  return statFiles(root, [...candidates.values()]);
}

/** Every file below `start` (relative to `root`) that `classify` gives a role, without reading or stat-ing any. */
async function listTree(root: string, start: string, classify: (studioPath: string) => StudioPathRole | undefined): Promise<Array<{ path: string; role: StudioPathRole }>> {
  const candidates: Array<{ path: string; role: StudioPathRole }> = [];
  let folders = [start];
  while (folders.length > 0) {
    const listings = await mapLimited(folders, (folder) => listFolder(root, folder));
    folders = [];
    for (const { folder, entries } of listings) {
      for (const entry of entries) {
        const studioPath = folder ? `${folder}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (!isIgnoredFolder(entry.name)) folders.push(studioPath);
        } else if (entry.isFile()) {
          const role = classify(studioPath);
          if (role) candidates.push({ path: studioPath, role });
        }
      }
    }
  }
  return candidates;
}

async function statFiles(root: string, candidates: ReadonlyArray<{ path: string; role: StudioPathRole }>): Promise<StudioFile[]> {
  const files: StudioFile[] = [];
  // Synchronous stats in small slices: about three times faster than one promise per file
  // (measured on 10,000 files), and each slice blocks the event loop for a few milliseconds only.
  for (let start = 0; start < candidates.length; start += statSlice) {
    for (const candidate of candidates.slice(start, start + statSlice)) {
      const info = statSync(path.join(root, candidate.path), { throwIfNoEntry: false });
      // Deleted between the listing and the stat: it is simply gone.
      if (info) files.push({ ...candidate, size: info.size, mtimeMs: info.mtimeMs });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

async function listFolder(root: string, folder: string): Promise<{ folder: string; entries: Dirent[] }> {
  try {
    return { folder, entries: await readdir(path.join(root, folder), { withFileTypes: true }) };
  } catch {
    return { folder, entries: [] };
  }
}
