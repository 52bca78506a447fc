import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { decodeCaption, encodeCaption, readStampedCaption, stampSettledMs, statStamp } from '../../../../src/core/captions/captionFile';
import { withTempFolder } from '../../../support/tempStudio';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('decodeCaption', () => {
  it('drops one final line break and remembers which', () => {
    assert.deepEqual(pick(decodeCaption(bytes('spyke, rain\n'))), { text: 'spyke, rain', ending: '\n' });
    assert.deepEqual(pick(decodeCaption(bytes('spyke, rain\r\n'))), { text: 'spyke, rain', ending: '\r\n' });
    assert.deepEqual(pick(decodeCaption(bytes('spyke, rain'))), { text: 'spyke, rain', ending: '' });
    assert.deepEqual(pick(decodeCaption(bytes('spyke\n\n'))), { text: 'spyke\n', ending: '\n' });
    assert.deepEqual(pick(decodeCaption(bytes(''))), { text: '', ending: '' });
  });

  it('tolerates a byte order mark, and reads non-ASCII text', () => {
    assert.deepEqual(pick(decodeCaption(bytes('\uFEFFスパイク, 雨\n'))), { text: 'スパイク, 雨', ending: '\n' });
  });

  it('tells a file that is not UTF-8, rather than guessing', () => {
    const shiftJis = Buffer.from([0x83, 0x58, 0x83, 0x70]);
    assert.equal(decodeCaption(shiftJis).kind, 'notUtf8');
  });

  it('hashes the bytes, BOM included, so any change on disk is seen', () => {
    const withBom = decodeCaption(bytes('\uFEFFa'));
    const without = decodeCaption(bytes('a'));
    assert.ok(withBom.kind === 'text' && without.kind === 'text');
    assert.notEqual(withBom.hash, without.hash);
  });
});

describe('encodeCaption', () => {
  it('writes UTF-8 without a BOM, with the ending asked for', () => {
    assert.deepEqual(encodeCaption('雨', '\r\n'), Buffer.from([0xe9, 0x9b, 0xa8, 0x0d, 0x0a]));
    assert.equal(encodeCaption('a', '').toString('utf8'), 'a');
  });
});

function pick(content: ReturnType<typeof decodeCaption>): { text: string; ending: string } | string {
  return content.kind === 'text' ? { text: content.text, ending: content.ending } : content.kind;
}

describe('readStampedCaption and statStamp', () => {
  /** A clock far enough ahead that every file looks written long ago. */
  const later = (): number => Date.now() + stampSettledMs + 60_000;

  it('stamps a file whose times are settled, with the stamp stat gives while it is unchanged', async () => {
    await withTempFolder(async (dir) => {
      const file = path.join(dir, 'a.txt');
      await writeFile(file, 'spyke, rain\n');
      const { content, stamp } = await readStampedCaption(file, later);
      assert.ok(content.kind === 'text' && content.text === 'spyke, rain');
      assert.ok(stamp !== undefined);
      assert.equal(await statStamp(file), stamp);
      // Rewritten in place with the same number of bytes: the stamp tells.
      await writeFile(file, 'spyke, snow\n');
      assert.notEqual(await statStamp(file), stamp);
    });
  });

  it('gives no stamp for a file written just now: a write in the same tick could leave the same times', async () => {
    await withTempFolder(async (dir) => {
      const file = path.join(dir, 'a.txt');
      await writeFile(file, 'spyke');
      assert.equal((await readStampedCaption(file)).stamp, undefined);
    });
  });

  it('reads a missing file as absent, with no stamp', async () => {
    await withTempFolder(async (dir) => {
      const file = path.join(dir, 'none.txt');
      assert.deepEqual(await readStampedCaption(file, later), { content: { kind: 'absent' }, stamp: undefined });
      assert.equal(await statStamp(file), undefined);
    });
  });
});
