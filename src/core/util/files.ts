import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AlreadyExistsError } from './errors';

export interface AtomicWriteOptions {
  /**
   * Flush the data to disk before the rename (default). Without it the file is still replaced
   * whole, never torn, when a process dies; only a power cut can cost the last write. For files
   * saved on every edit, in bulk (captions), where the flush is most of the cost.
   */
  readonly durable?: boolean;
  /**
   * Make the file's folder first when it is missing (default). Off where the folder must already
   * be there, and a missing one means it was removed: the write then fails rather than bringing
   * it back (and it saves a call per file on writes in bulk).
   */
  readonly createFolder?: boolean;
}

/**
 * Writes a file so that readers see either the old or the new content, never a mix: the data
 * goes to a temporary file in the same folder (same file system, so rename is atomic), is
 * flushed to disk, then renamed over the target.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  if (options.createFolder ?? true) await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      if (options.durable ?? true) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Copies a file so that readers of `target` see the old file or the whole copy, never part of
 * it: copied beside the target (same file system), then renamed over it.
 */
export async function copyFileAtomic(source: string, target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await copyFile(source, temp);
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Whether two files hold the same bytes: sizes first, then a streamed hash, since most files
 * that differ differ in size. False when either is missing.
 */
export async function sameFileContent(a: string, b: string): Promise<boolean> {
  const [sizeA, sizeB] = await Promise.all([sizeOf(a), sizeOf(b)]);
  if (sizeA === undefined || sizeA !== sizeB) return false;
  const [hashA, hashB] = await Promise.all([digest(a), digest(b)]);
  return hashA === hashB;
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

async function digest(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Creates a new file and refuses to touch an existing one, so nothing the user made is ever
 * overwritten. `what` names the thing for the error message ("A character", "A page").
 */
export async function createFileExclusive(file: string, data: string, what = 'A file'): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    const handle = await open(file, 'wx');
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (isErrnoException(error) && error.code === 'EEXIST') throw new AlreadyExistsError(what, file);
    throw error;
  }
}

/**
 * Writes a new file atomically and never over an existing one: the data goes to a temporary
 * file first, as in `writeFileAtomic`, which is then hard-linked to its name. Linking, unlike
 * renaming, fails when the name is taken, so a file that appeared meanwhile is kept; and readers
 * see the whole file or none. Throws `AlreadyExistsError` when `file` exists.
 */
export async function writeFileExclusiveAtomic(file: string, data: string | Uint8Array, what = 'A file'): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (!(await placeExclusive(temp, file))) throw new AlreadyExistsError(what, file);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Puts `source` at `target` only if `target` does not exist; false when it does. */
export async function placeExclusive(source: string, target: string): Promise<boolean> {
  try {
    await link(source, target);
    return true;
  } catch (error) {
    if (isErrnoException(error) && error.code === 'EEXIST') return false;
    // File systems without hard links (FAT, some network shares): an exclusive copy.
    if (isErrnoException(error) && ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV'].includes(error.code ?? '')) {
      try {
        await copyFile(source, target, constants.COPYFILE_EXCL);
        return true;
      } catch (copyError) {
        if (isErrnoException(copyError) && copyError.code === 'EEXIST') return false;
        throw copyError;
      }
    }
    throw error;
  }
}

export async function pathExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (isMissingFile(error)) return false;
    throw error;
  }
}

/** True when `candidate` is `root` or lies below it, after resolving `..` segments. */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(candidate));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Forward-slash form of a path relative to the studio root, as stored in the index. */
export function toStudioPath(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** The error of a file, or a folder on its path, that is not there. */
export function isMissingFile(error: unknown): boolean {
  return isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}

export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
