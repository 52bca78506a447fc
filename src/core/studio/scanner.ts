import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { classifyStudioPath, isIgnoredFolder, type StudioPathRole } from './layout';

/** A file the studio tracks, with the fingerprint that tells whether it changed. */
export interface StudioFile {
  readonly path: string;
  readonly role: StudioPathRole;
  readonly size: number;
  readonly mtimeMs: number;
}

/** How many file-system calls are in flight at once: enough to keep libuv's pool busy. */
const concurrency = 64;

/**
 * Lists every file the studio tracks with its size and modification time. Reads no file
 * contents: the index re-reads only files whose fingerprint changed.
 */
export async function scanStudio(root: string): Promise<StudioFile[]> {
  const candidates: Array<{ path: string; role: StudioPathRole }> = [];
  let folders = [''];
  while (folders.length > 0) {
    const listings = await mapLimited(folders, (folder) => listFolder(root, folder));
    folders = [];
    for (const { folder, entries } of listings) {
      for (const entry of entries) {
        const studioPath = folder ? `${folder}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (!isIgnoredFolder(entry.name)) folders.push(studioPath);
        } else if (entry.isFile()) {
          const role = classifyStudioPath(studioPath);
          if (role) candidates.push({ path: studioPath, role });
        }
      }
    }
  }
  const files = await mapLimited(candidates, async (candidate) => {
    try {
      const info = await stat(path.join(root, candidate.path));
      return { ...candidate, size: info.size, mtimeMs: info.mtimeMs };
    } catch {
      return undefined; // Deleted between the listing and the stat: it is simply gone.
    }
  });
  return files.filter((file): file is StudioFile => file !== undefined).sort((a, b) => (a.path < b.path ? -1 : 1));
}

async function listFolder(root: string, folder: string): Promise<{ folder: string; entries: Dirent[] }> {
  try {
    return { folder, entries: await readdir(path.join(root, folder), { withFileTypes: true }) };
  } catch {
    return { folder, entries: [] };
  }
}

async function mapLimited<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
