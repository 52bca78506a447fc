import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { isErrnoException, isMissingFile } from '../util/files';

/** How a caption file ends: people and tools differ, and a save keeps the file's own way. */
export type FileEnding = '' | '\n' | '\r\n';

/** A caption file as read from disk. */
export type CaptionFileContent =
  | { readonly kind: 'absent' }
  /** `text` without a byte order mark and without the one line break that ends the file. */
  | { readonly kind: 'text'; readonly text: string; readonly ending: FileEnding; readonly hash: string }
  /** Not UTF-8 (Shift JIS, Latin-1…): shown as nothing and never rewritten, which would destroy it. */
  | { readonly kind: 'notUtf8'; readonly hash: string };

/**
 * Refuses bytes that are not UTF-8 instead of turning them into U+FFFD. It also drops a leading
 * byte order mark: tolerated on read (Notepad writes one) but not kept, because sd-scripts opens
 * captions as plain utf-8 and a BOM would become part of the first tag, the trigger word.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * What `stat` tells of one version of a file: its inode, size, and modification and change times
 * to the nanosecond the file system keeps. Any write changes the change time at least; a file
 * replaced by a rename has another inode.
 */
export type FileStamp = string;

/**
 * A stamp is only trusted as a file's version once both its times are this much older than the
 * clock when it is read: a write in the same tick of the file system's clock (2 s on FAT, a few
 * ms elsewhere) would leave the same times and, at the same size, the same stamp. A file written
 * later than that gets later times. The margin also covers a network share whose clock is a
 * little ahead of ours.
 */
export const stampSettledMs = 3_000;

/** A caption file's content and, when its times are settled, its stamp, both from one opening of it. */
export interface StampedCaption {
  readonly content: CaptionFileContent;
  /** Undefined when the file is missing, was written too recently to trust its times, or changed while read. */
  readonly stamp: FileStamp | undefined;
}

/**
 * Reads a caption file and stamps it: the stamp is taken before the bytes are read, from the
 * same open file, so a write in between can only make the stamp older than the content (the next
 * look sees a change and reads again), never newer (which would hide that write).
 */
export async function readStampedCaption(file: string, now: () => number = Date.now): Promise<StampedCaption> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return { content: { kind: 'absent' }, stamp: undefined };
    throw error;
  }
  try {
    const stats = await handle.stat({ bigint: true });
    const size = Number(stats.size);
    // One byte more than the size: a file that grew meanwhile shows it, and is read whole below.
    const buffer = Buffer.allocUnsafe(size + 1);
    const { bytesRead } = await handle.read(buffer, 0, size + 1, 0);
    if (bytesRead !== size) return { content: decodeCaption(await handle.readFile()), stamp: undefined };
    return { content: decodeCaption(buffer.subarray(0, size)), stamp: isSettled(stats, now()) ? stampOf(stats) : undefined };
  } finally {
    await handle.close();
  }
}

/** The stamp of the file on disk now; undefined when there is none. */
export async function statStamp(file: string): Promise<FileStamp | undefined> {
  try {
    return stampOf(await stat(file, { bigint: true }));
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw error;
  }
}

function stampOf(stats: BigIntStats): FileStamp {
  return `${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

function isSettled(stats: BigIntStats, nowMs: number): boolean {
  const latest = stats.mtimeMs > stats.ctimeMs ? stats.mtimeMs : stats.ctimeMs;
  return nowMs - Number(latest) >= stampSettledMs;
}

export function decodeCaption(bytes: Uint8Array): CaptionFileContent {
  const hash = hashCaptionBytes(bytes);
  let decoded: string;
  try {
    decoded = strictUtf8.decode(bytes);
  } catch {
    return { kind: 'notUtf8', hash };
  }
  const ending: FileEnding = decoded.endsWith('\r\n') ? '\r\n' : decoded.endsWith('\n') ? '\n' : '';
  return { kind: 'text', text: decoded.slice(0, decoded.length - ending.length), ending, hash };
}

/** The bytes a caption is saved as: UTF-8 without a BOM, ending as the file did. */
export function encodeCaption(text: string, ending: FileEnding): Buffer {
  return Buffer.from(text + ending, 'utf8');
}

/**
 * What tells one version of a caption file from another. The content, not mtime and size: an
 * mtime can be too coarse to see two saves in a second (FAT, some network shares) and changes
 * when nothing did (a `touch`, a git checkout), and a caption is a few hundred bytes to hash.
 */
export function hashCaptionBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
