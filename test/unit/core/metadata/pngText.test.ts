import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { crc32ByTable } from '../../../../src/core/metadata/pngChunks';
import { readPngText, readPngTextFromFile, withPngText } from '../../../../src/core/metadata/pngText';
import { InvalidInputError } from '../../../../src/core/util/errors';
import { withTempFolder } from '../../../support/tempStudio';

// The PNG is taken apart here independently of the code under test, so the tests can build
// chunks by hand and check what the writer put where.
interface RawChunk {
  readonly type: string;
  readonly data: Buffer;
  readonly crc: number;
}

function chunksIn(png: Buffer): RawChunk[] {
  const chunks: RawChunk[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    chunks.push({
      type: png.toString('latin1', offset + 4, offset + 8),
      data: png.subarray(offset + 8, offset + 8 + length),
      crc: png.readUInt32BE(offset + 8 + length),
    });
    offset += 12 + length;
  }
  return chunks;
}

function rawChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** The PNG with `extra` chunks inserted before the first chunk of type `before`. */
function insertChunks(png: Buffer, before: string, extra: Buffer[]): Buffer {
  const parts = [png.subarray(0, 8)];
  let inserted = false;
  for (const c of chunksIn(png)) {
    if (c.type === before && !inserted) {
      parts.push(...extra);
      inserted = true;
    }
    parts.push(rawChunk(c.type, c.data));
  }
  return Buffer.concat(parts);
}

const nul = Buffer.from([0]);
const tEXt = (keyword: string, text: string): Buffer => rawChunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), nul, Buffer.from(text, 'latin1')]));
const zTXt = (keyword: string, text: string): Buffer =>
  rawChunk('zTXt', Buffer.concat([Buffer.from(keyword, 'latin1'), nul, nul, zlib.deflateSync(Buffer.from(text, 'latin1'))]));
function iTXt(keyword: string, text: string, compressed: boolean, language = '', translated = ''): Buffer {
  const body = compressed ? zlib.deflateSync(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8');
  const fields = [Buffer.from(keyword, 'latin1'), nul, Buffer.from([compressed ? 1 : 0, 0]), Buffer.from(language, 'latin1'), nul, Buffer.from(translated, 'utf8'), nul, body];
  return rawChunk('iTXt', Buffer.concat(fields));
}

async function redPng(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 6, channels: 3, background: '#f00' } }).png().toBuffer();
}

/** 1024×1024 of noise: about 3 MB that does not compress, in many IDAT chunks. */
async function noisePng(): Promise<Buffer> {
  const pixels = randomFillSync(Buffer.alloc(1024 * 1024 * 3));
  return sharp(pixels, { raw: { width: 1024, height: 1024, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
}

async function sharpComments(png: Buffer): Promise<Array<{ keyword: string; text: string }>> {
  return (await sharp(png).metadata()).comments ?? [];
}

describe('withPngText', () => {
  it('writes Latin-1 text as tEXt, byte for byte in Latin-1, readable by sharp and by readPngText', async () => {
    const text = 'café crème, naïve façade — no: the dash is not Latin-1';
    const latin = 'café crème, naïve façade, ÿ';
    const png = withPngText(await redPng(), [{ keyword: 'parameters', text: latin }]);
    const chunk = chunksIn(png).find((c) => c.type === 'tEXt')!;
    assert.deepEqual(chunk.data, Buffer.concat([Buffer.from('parameters'), nul, Buffer.from(latin, 'latin1')]));
    assert.ok(chunk.data.includes(0xe9), 'é is the single Latin-1 byte E9, not UTF-8');
    assert.deepEqual(readPngText(png).text, [{ keyword: 'parameters', text: latin }]);
    // sharp finds the chunk but decodes tEXt as UTF-8, the very trap Latin-1 text falls into, so only the ASCII survives there.
    assert.deepEqual((await sharpComments(png)).map((c) => [c.keyword, c.text.slice(0, 3)]), [['parameters', 'caf']]);
    // One character above U+00FF is enough to need iTXt.
    const other = withPngText(await redPng(), [{ keyword: 'parameters', text }]);
    assert.deepEqual(chunksIn(other).map((c) => c.type).filter((t) => t.endsWith('Xt')), ['iTXt']);
    assert.deepEqual(readPngText(other).text, [{ keyword: 'parameters', text }]);
  });

  it('writes CJK and emoji as uncompressed iTXt that sharp reads back the same', async () => {
    const text = '夕暮れの灯台、雨 🌧️ — 漫画スタイル';
    const png = withPngText(await redPng(), [{ keyword: 'prompt', text }]);
    const chunk = chunksIn(png).find((c) => c.type === 'iTXt')!;
    assert.deepEqual(chunk.data.subarray(0, 11), Buffer.from('prompt\0\0\0\0\0', 'latin1'), 'flag 0, method 0, empty language and translated keyword');
    assert.equal(chunk.data.subarray(11).toString('utf8'), text);
    assert.deepEqual(readPngText(png).text, [{ keyword: 'prompt', text }]);
    assert.deepEqual(await sharpComments(png), [{ keyword: 'prompt', text }]);
  });

  it('replaces every text chunk with the same keyword, wherever and whatever it is, keeps the others and puts the new ones before IDAT', async () => {
    const before = insertChunks(await redPng(), 'IDAT', [tEXt('prompt', 'old'), zTXt('prompt', 'older'), tEXt('Software', 'paint')]);
    const original = insertChunks(before, 'IEND', [iTXt('prompt', '古い', true), tEXt('Comment', 'tail')]);
    const png = withPngText(original, [
      { keyword: 'prompt', text: 'new' },
      { keyword: 'workflow', text: '{}' },
    ]);
    const types = chunksIn(png).map((c) => c.type);
    const firstIdat = types.indexOf('IDAT');
    assert.deepEqual(types.slice(firstIdat - 3, firstIdat), ['tEXt', 'tEXt', 'tEXt'], types.join(' '));
    assert.deepEqual(readPngText(png).text, [
      { keyword: 'Software', text: 'paint' },
      { keyword: 'prompt', text: 'new' },
      { keyword: 'workflow', text: '{}' },
      { keyword: 'Comment', text: 'tail' },
    ]);
    assert.equal(chunksIn(png).filter((c) => c.type.endsWith('Xt')).length, 4);
    // Written where Pillow writes them, so readers that stop at the pixels (sharp) see them too.
    assert.deepEqual(await sharpComments(withPngText(await redPng(), [{ keyword: 'prompt', text: 'seen' }])), [{ keyword: 'prompt', text: 'seen' }]);
  });

  it('leaves the pixel data untouched and every CRC right', async () => {
    const original = await noisePng();
    const png = withPngText(original, [{ keyword: 'parameters', text: 'a lighthouse at dusk' }]);
    const idat = (buffer: Buffer): Buffer => Buffer.concat(chunksIn(buffer).filter((c) => c.type === 'IDAT').map((c) => c.data));
    assert.ok(idat(png).equals(idat(original)));
    const [before, after] = await Promise.all([sharp(original).raw().toBuffer(), sharp(png).raw().toBuffer()]);
    assert.ok(after.equals(before));
    for (const c of chunksIn(png)) assert.equal(c.crc, zlib.crc32(Buffer.concat([Buffer.from(c.type, 'latin1'), c.data])) >>> 0, `CRC of ${c.type}`);
  });

  it('refuses a keyword PNG does not allow', async () => {
    const png = await redPng();
    for (const keyword of ['', ' lead', 'trail ', 'two  spaces', 'x'.repeat(80), 'ключ']) {
      assert.throws(() => withPngText(png, [{ keyword, text: 't' }]), InvalidInputError, JSON.stringify(keyword));
    }
  });
});

describe('readPngText', () => {
  it('reads zTXt, compressed and uncompressed iTXt, and text chunks after IDAT', async () => {
    const png = insertChunks(await redPng(), 'IEND', [
      zTXt('Comment', 'déjà vu, compressed'),
      iTXt('Title', '灯台', false, 'ja', 'タイトル'),
      iTXt('Description', 'ゆっくり '.repeat(50), true, 'ja'),
    ]);
    assert.deepEqual(chunksIn(png).map((c) => c.type).slice(-5, -1), ['IDAT', 'zTXt', 'iTXt', 'iTXt']);
    const info = readPngText(png);
    assert.deepEqual([info.width, info.height], [8, 6]);
    assert.deepEqual(info.text, [
      { keyword: 'Comment', text: 'déjà vu, compressed' },
      { keyword: 'Title', text: '灯台' },
      { keyword: 'Description', text: 'ゆっくり '.repeat(50) },
    ]);
  });

  it('keeps the later of two chunks with one keyword, at the place of the first (as Pillow)', async () => {
    const png = insertChunks(await redPng(), 'IDAT', [tEXt('parameters', 'first'), tEXt('Software', 'x')]);
    const withLater = insertChunks(png, 'IEND', [tEXt('parameters', 'second')]);
    assert.deepEqual(readPngText(withLater).text, [
      { keyword: 'parameters', text: 'second' },
      { keyword: 'Software', text: 'x' },
    ]);
  });

  it('skips a damaged text chunk and still reads the rest', async () => {
    const broken = rawChunk('zTXt', Buffer.concat([Buffer.from('Comment'), nul, nul, Buffer.from('not a zlib stream')]));
    const png = insertChunks(await redPng(), 'IDAT', [broken, rawChunk('tEXt', Buffer.from('no separator')), tEXt('prompt', '{}')]);
    assert.deepEqual(readPngText(png).text, [{ keyword: 'prompt', text: '{}' }]);
  });

  it('throws a clear error for a file that is not a PNG or is cut short', async () => {
    const png = withPngText(await redPng(), [{ keyword: 'prompt', text: '{}' }]);
    assert.throws(() => readPngText(Buffer.from('GIF89a not a png')), { name: 'InvalidInputError', message: /not a PNG image/ });
    assert.throws(() => readPngText(png.subarray(0, png.length - 20)), { name: 'InvalidInputError', message: /cut short/ });
    assert.throws(() => readPngText(png.subarray(0, 30)), { name: 'InvalidInputError', message: /cut short/ });
  });
});

describe('readPngTextFromFile', () => {
  /** Bytes read through file handles while `run` runs: a spy on FileHandle.prototype.read. */
  async function countingReads<T>(dir: string, run: () => Promise<T>): Promise<{ result: T; bytes: number; calls: number }> {
    const probe = await open(path.join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
    await probe.close();
    const original = prototype.read;
    let bytes = 0;
    let calls = 0;
    prototype.read = async function (this: unknown, ...args: unknown[]) {
      const read = await original.apply(this, args);
      bytes += read.bytesRead;
      calls++;
      return read;
    };
    try {
      return { result: await run(), bytes, calls };
    } finally {
      prototype.read = original;
    }
  }

  it('gives what readPngText gives, for text before and after IDAT, in and beyond the first 64 KiB', async () => {
    await withTempFolder(async (dir) => {
      const big = await noisePng();
      const longText = 'w'.repeat(100_000);
      const cases: Record<string, Buffer> = {
        small: withPngText(await redPng(), [{ keyword: 'prompt', text: '{"3":{}}' }]),
        written: withPngText(big, [{ keyword: 'parameters', text: 'café, by withPngText' }]),
        afterIdat: insertChunks(big, 'IEND', [tEXt('parameters', 'café, after the pixels')]),
        beforeIdat: insertChunks(big, 'IDAT', [tEXt('prompt', '{"1":{}}'), iTXt('Title', '灯台', true)]),
        straddling: insertChunks(big, 'IDAT', [tEXt('pad', 'p'.repeat(65_000)), zTXt('workflow', longText)]),
        bigAfterIdat: insertChunks(big, 'IEND', [tEXt('workflow', longText), tEXt('prompt', 'last')]),
        noText: await redPng(),
      };
      for (const [name, png] of Object.entries(cases)) {
        const file = path.join(dir, `${name}.png`);
        await writeFile(file, png);
        assert.deepEqual(await readPngTextFromFile(file), readPngText(png), name);
      }
    });
  });

  it('reads far fewer bytes than a big PNG holds: the pixel data is skipped', async () => {
    await withTempFolder(async (dir) => {
      const png = insertChunks(insertChunks(await noisePng(), 'IEND', [tEXt('parameters', 'after IDAT')]), 'IDAT', [tEXt('prompt', 'before IDAT')]);
      const file = path.join(dir, 'noise.png');
      await writeFile(file, png);
      const { result, bytes } = await countingReads(dir, () => readPngTextFromFile(file));
      assert.deepEqual(result.text.map((t) => t.text), ['before IDAT', 'after IDAT']);
      assert.ok(png.length > 3_000_000, `a big file (${png.length} bytes)`);
      assert.ok(bytes < png.length / 20, `read ${bytes} of ${png.length} bytes`);
    });
  });

  it('throws a clear error for a missing, cut short or non-PNG file', async () => {
    await withTempFolder(async (dir) => {
      const png = withPngText(await noisePng(), [{ keyword: 'prompt', text: '{}' }]);
      await writeFile(path.join(dir, 'cut.png'), png.subarray(0, png.length - 100));
      await writeFile(path.join(dir, 'cutInHead.png'), png.subarray(0, 1000));
      await writeFile(path.join(dir, 'text.png'), 'hello');
      await assert.rejects(readPngTextFromFile(path.join(dir, 'cut.png')), { name: 'InvalidInputError', message: /cut\.png is cut short/ });
      await assert.rejects(readPngTextFromFile(path.join(dir, 'cutInHead.png')), { name: 'InvalidInputError', message: /cut short/ });
      await assert.rejects(readPngTextFromFile(path.join(dir, 'text.png')), { name: 'InvalidInputError', message: /text\.png is not a PNG image/ });
      await assert.rejects(readPngTextFromFile(path.join(dir, 'missing.png')), { name: 'InvalidInputError', message: /missing\.png does not exist/ });
    });
  });
});

describe('crc32ByTable', () => {
  it('agrees with zlib for the older runtimes that lack zlib.crc32', () => {
    for (const size of [0, 1, 13, 4096]) {
      const bytes = randomFillSync(Buffer.alloc(size));
      assert.equal(crc32ByTable(bytes), zlib.crc32(bytes) >>> 0, `${size} bytes`);
    }
    assert.equal(crc32ByTable(Buffer.from('IEND')), 0xae426082, "IEND's well-known CRC");
  });
});
