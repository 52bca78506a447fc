/**
 * The PNG container at the level of single chunks: the signature, the header, and decoding and
 * encoding of the three text chunk types (tEXt Latin-1, zTXt Latin-1 deflated, iTXt UTF-8).
 */
import zlib from 'node:zlib';
import { InvalidInputError } from '../util/errors';

export const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Length and type before the data, CRC after it. */
export const chunkHeaderBytes = 8;
export const chunkOverheadBytes = 12;

export const textChunkTypes: ReadonlySet<string> = new Set(['tEXt', 'zTXt', 'iTXt']);

/** Far above any real prompt or workflow (a few MB at most), far below what would exhaust memory. */
export const maxTextChunkBytes = 64 * 1024 * 1024;
/** A compressed text chunk may not inflate to more than this: a tiny chunk must not exhaust memory. */
const maxInflatedBytes = maxTextChunkBytes;

export interface PngTextEntry {
  readonly keyword: string;
  readonly text: string;
}

export function hasPngSignature(head: Uint8Array): boolean {
  return head.length >= pngSignature.length && pngSignature.equals(head.subarray(0, pngSignature.length));
}

export interface ChunkHeader {
  readonly length: number;
  readonly type: string;
}

export function chunkHeaderAt(bytes: Buffer, offset: number): ChunkHeader {
  return { length: bytes.readUInt32BE(offset), type: bytes.toString('latin1', offset + 4, offset + 8) };
}

export const ihdrBytes = 13;

/** Width and height from IHDR's data (the first 8 of its 13 bytes). */
export function ihdrSize(data: Buffer): { width: number; height: number } {
  return { width: data.readUInt32BE(0), height: data.readUInt32BE(4) };
}

/**
 * The keyword and text of a tEXt, zTXt or iTXt chunk's data; undefined for a chunk that is
 * malformed (no separator, a stream that does not inflate). One damaged chunk should not hide
 * the other chunks or the image, so it is skipped rather than thrown.
 */
export function decodeTextChunk(type: string, data: Buffer): PngTextEntry | undefined {
  const keywordEnd = data.indexOf(0);
  if (keywordEnd <= 0) return undefined;
  const keyword = data.toString('latin1', 0, keywordEnd);
  try {
    switch (type) {
      case 'tEXt':
        return { keyword, text: data.toString('latin1', keywordEnd + 1) };
      case 'zTXt':
        // The byte after the separator names the method; 0 (deflate) is the only one defined.
        return { keyword, text: inflate(data.subarray(keywordEnd + 2)).toString('latin1') };
      case 'iTXt':
        return decodeInternationalText(keyword, data, keywordEnd + 1);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** iTXt after its keyword: compression flag, method, language tag NUL, translated keyword NUL, text. */
function decodeInternationalText(keyword: string, data: Buffer, start: number): PngTextEntry | undefined {
  const compressed = data[start] === 1;
  const languageEnd = data.indexOf(0, start + 2);
  const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) return undefined;
  const body = data.subarray(translatedEnd + 1);
  return { keyword, text: (compressed ? inflate(body) : body).toString('utf8') };
}

function inflate(stream: Buffer): Buffer {
  return zlib.inflateSync(stream, { maxOutputLength: maxInflatedBytes });
}

/** tEXt when every character fits Latin-1 (as Pillow does), else uncompressed iTXt. */
export function encodeTextChunk(entry: PngTextEntry): Buffer {
  checkKeyword(entry.keyword);
  if (entry.text.includes('\0')) throw new InvalidInputError(`The text for "${entry.keyword}" holds a NUL character, which no PNG text chunk may hold.`);
  const keyword = Buffer.from(entry.keyword, 'latin1');
  if (isLatin1(entry.text)) {
    return chunk('tEXt', Buffer.concat([keyword, Buffer.from([0]), Buffer.from(entry.text, 'latin1')]));
  }
  // keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL.
  return chunk('iTXt', Buffer.concat([keyword, Buffer.from([0, 0, 0, 0, 0]), Buffer.from(entry.text, 'utf8')]));
}

/** The keyword rules of the PNG specification: 1–79 printable Latin-1 bytes, no leading, trailing or doubled spaces. */
function checkKeyword(keyword: string): void {
  const valid = keyword.length >= 1 && keyword.length <= 79 && !/[^\x20-\x7e\xa1-\xff]|^ | $| {2}/.test(keyword);
  if (!valid) throw new InvalidInputError(`"${keyword}" cannot be a PNG text keyword: use 1 to 79 Latin-1 characters without leading, trailing or doubled spaces.`);
}

function isLatin1(text: string): boolean {
  // Code units ≤ U+00FF are never surrogates, so this is a test on code points too.
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

export function chunk(type: string, data: Buffer): Buffer {
  const header = Buffer.alloc(chunkHeaderBytes);
  header.writeUInt32BE(data.length, 0);
  header.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([header.subarray(4), data])), 0);
  return Buffer.concat([header, data, crc]);
}

/** zlib's CRC-32, which Node has had since 20.15 and 22.2; the table is for older runtimes. */
export function crc32(bytes: Buffer): number {
  return typeof zlib.crc32 === 'function' ? zlib.crc32(bytes) >>> 0 : crc32ByTable(bytes);
}

/** The same CRC-32/IEEE, computed byte by byte. */
export function crc32ByTable(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable()[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

let table: Uint32Array | undefined;
function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}
