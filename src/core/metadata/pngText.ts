import type { FileHandle } from 'node:fs/promises';
import { InvalidInputError } from '../util/errors';
import { readAt, withFileHead } from './fileHead';
import {
  chunk,
  chunkHeaderAt,
  chunkHeaderBytes,
  chunkOverheadBytes,
  decodeTextChunk,
  encodeTextChunk,
  hasPngSignature,
  ihdrBytes,
  ihdrSize,
  maxTextChunkBytes,
  pngSignature,
  type PngTextEntry,
  textChunkTypes,
} from './pngChunks';

export type { PngTextEntry };

/** A PNG's size and its text chunks, each keyword once, in the order the keywords first appear. */
export interface PngInfo {
  readonly width: number;
  readonly height: number;
  readonly text: readonly PngTextEntry[];
}

/** The text chunks of a PNG held in memory, wherever they sit (before or after IDAT). */
export function readPngText(png: Buffer): PngInfo {
  return readPngTextNamed(png, 'The image');
}

/**
 * The same from a file, without reading the pixels: one open, one read of the first 64 KiB,
 * then for chunks beyond it a small read per chunk header and a read of text chunk data only.
 */
export async function readPngTextFromFile(file: string): Promise<PngInfo> {
  return withFileHead(file, (handle, head) => readPngTextFromHandle(handle, head, file));
}

/** For callers that opened the file and read its head themselves (see `withFileHead`). */
export async function readPngTextFromHandle(handle: FileHandle, head: Buffer, file: string): Promise<PngInfo> {
  if (!hasPngSignature(head)) throw notPng(file);
  const bytes = async (position: number, length: number): Promise<Buffer> =>
    position + length <= head.length ? head.subarray(position, position + length) : readAt(handle, position, length, file);
  const text = new TextCollector();
  let size: { width: number; height: number } | undefined;
  for (let offset = pngSignature.length; ; ) {
    const header = await bytes(offset, chunkHeaderBytes);
    if (header.length < chunkHeaderBytes) throw truncated(file, offset);
    const { length, type } = chunkHeaderAt(header, 0);
    if (type === 'IEND') break;
    if (!size) {
      size = headerSize(type, await bytes(offset + chunkHeaderBytes, Math.min(length, ihdrBytes)), file);
    } else if (textChunkTypes.has(type) && length <= maxTextChunkBytes) {
      // A greater length is damage, not text: that chunk is skipped rather than allocated.
      const data = await bytes(offset + chunkHeaderBytes, length);
      if (data.length < length) throw truncated(file, offset);
      text.add(type, data);
    }
    offset += chunkOverheadBytes + length;
  }
  if (!size) throw notPng(file);
  return { ...size, text: text.entries() };
}

/**
 * A copy of `png` with `entries` as text chunks just before the pixel data (the first IDAT),
 * replacing every text chunk that had one of their keywords. tEXt when the text fits Latin-1,
 * else iTXt. Every other chunk, pixel data included, is copied byte for byte.
 *
 * Before IDAT, not before IEND, although both are valid: that is where Pillow (so ComfyUI and
 * A1111) writes them, and some readers stop at the pixels (sharp's `metadata().comments` does
 * not report text chunks that come after IDAT).
 */
export function withPngText(png: Buffer, entries: readonly PngTextEntry[]): Buffer {
  const byKeyword = new Map(entries.map((entry) => [entry.keyword, entry]));
  let added: Buffer[] = [...byKeyword.values()].map(encodeTextChunk);
  const parts: Buffer[] = [pngSignature];
  for (const found of chunksOf(png, 'The image')) {
    if (found.type === 'IDAT' || found.type === 'IEND') {
      parts.push(...added);
      added = [];
    }
    if (found.type === 'IEND') parts.push(chunk('IEND', Buffer.alloc(0)));
    else if (!(textChunkTypes.has(found.type) && byKeyword.has(keywordOf(found.data)))) parts.push(png.subarray(found.start, found.end));
  }
  return Buffer.concat(parts);
}

function readPngTextNamed(png: Buffer, name: string): PngInfo {
  const text = new TextCollector();
  let size: { width: number; height: number } | undefined;
  for (const found of chunksOf(png, name)) {
    if (!size) size = headerSize(found.type, found.data, name);
    else if (textChunkTypes.has(found.type)) text.add(found.type, found.data);
  }
  if (!size) throw notPng(name);
  return { ...size, text: text.entries() };
}

interface FoundChunk {
  readonly type: string;
  readonly data: Buffer;
  readonly start: number;
  readonly end: number;
}

/** Every chunk from IHDR to IEND (IEND included); throws if the bytes end before IEND. */
function* chunksOf(png: Buffer, name: string): Generator<FoundChunk> {
  if (!hasPngSignature(png)) throw notPng(name);
  for (let offset = pngSignature.length; ; ) {
    if (offset + chunkHeaderBytes > png.length) throw truncated(name, offset);
    const { length, type } = chunkHeaderAt(png, offset);
    const end = offset + chunkOverheadBytes + length;
    // A file that stops inside IEND's CRC has still said everything it had to say.
    if (type !== 'IEND' && end > png.length) throw truncated(name, offset);
    yield { type, data: png.subarray(offset + chunkHeaderBytes, Math.min(end - 4, png.length)), start: offset, end };
    if (type === 'IEND') return;
    offset = end;
  }
}

function headerSize(type: string, data: Buffer, name: string): { width: number; height: number } {
  if (type !== 'IHDR') throw new InvalidInputError(`${name} is not a valid PNG: its first chunk is ${type}, not IHDR.`);
  if (data.length < ihdrBytes) throw new InvalidInputError(`${name} is not a valid PNG: its IHDR chunk is too short.`);
  return ihdrSize(data);
}

function keywordOf(data: Buffer): string {
  const end = data.indexOf(0);
  return data.toString('latin1', 0, end < 0 ? data.length : end);
}

/** Two chunks with one keyword: the later text wins, at the place of the first (as Pillow's `Image.info`). */
class TextCollector {
  private readonly byKeyword = new Map<string, string>();

  add(type: string, data: Buffer): void {
    const entry = decodeTextChunk(type, data);
    if (entry) this.byKeyword.set(entry.keyword, entry.text);
  }

  entries(): PngTextEntry[] {
    return [...this.byKeyword].map(([keyword, text]) => ({ keyword, text }));
  }
}

function notPng(name: string): InvalidInputError {
  return new InvalidInputError(`${name} is not a PNG image: it does not start with the PNG signature.`);
}

function truncated(name: string, offset: number): InvalidInputError {
  return new InvalidInputError(`${name} is cut short: the PNG chunk at byte ${offset} runs past the end of the file, which has no IEND chunk.`);
}
