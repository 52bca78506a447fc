import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCaption, encodeCaption } from '../../../../src/core/captions/captionFile';

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
