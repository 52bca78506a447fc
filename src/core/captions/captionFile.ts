import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isErrnoException } from '../util/files';

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

export async function readCaptionFile(file: string): Promise<CaptionFileContent> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return { kind: 'absent' };
    throw error;
  }
  return decodeCaption(bytes);
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
