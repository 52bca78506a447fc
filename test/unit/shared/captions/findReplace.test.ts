import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileReplace, type FindOptions } from '../../../../src/shared/captions/findReplace';

const plain: FindOptions = { regex: false, caseSensitive: true };
const regex: FindOptions = { regex: true, caseSensitive: true };

function replaceWith(find: string, replacement: string, options: FindOptions, caption: string): string {
  const compiled = compileReplace(find, replacement, options);
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.error);
  return compiled.replace(caption);
}

describe('compileReplace, plain text', () => {
  it('replaces every occurrence literally, special characters and $ included', () => {
    assert.equal(replaceWith('red', 'blue', plain, 'red hair, red eyes'), 'blue hair, blue eyes');
    assert.equal(replaceWith('(smile)', '$1 $& grin', plain, 'a, (smile), b'), 'a, $1 $& grin, b');
    assert.equal(replaceWith('.', '!', plain, 'a.b.c'), 'a!b!c');
  });

  it('is case-sensitive or not as asked', () => {
    assert.equal(replaceWith('red', 'blue', plain, 'Red hair, red eyes'), 'Red hair, blue eyes');
    assert.equal(replaceWith('red', 'blue', { regex: false, caseSensitive: false }, 'Red hair, RED eyes'), 'blue hair, blue eyes');
  });

  it('returns the very same string when nothing matches', () => {
    const caption = 'spyke, rain';
    assert.equal(replaceWith('snow', 'sun', plain, caption), caption);
  });

  it('can be used on many captions in a row (the global pattern keeps no position)', () => {
    const compiled = compileReplace('a', 'x', plain);
    assert.ok(compiled.ok);
    assert.deepEqual(['a', 'ba', 'aa'].map(compiled.replace), ['x', 'bx', 'xx']);
  });
});

describe('compileReplace, regular expressions', () => {
  it('replaces with numbered and named groups', () => {
    assert.equal(replaceWith('(\\w+) hair', 'hair of $1', regex, 'red hair, long hair'), 'hair of red, hair of long');
    assert.equal(replaceWith('(?<colour>\\w+) eyes', '$<colour>_eyes', regex, 'blue eyes'), 'blue_eyes');
    assert.equal(replaceWith('^', 'spyke, ', regex, 'rain'), 'spyke, rain');
  });

  it('ignores case when asked', () => {
    assert.equal(replaceWith('R(e)d', 'b$1d', { regex: true, caseSensitive: false }, 'red, RED'), 'bed, bEd');
  });

  it('works on whole characters (u flag)', () => {
    assert.equal(replaceWith('^.', '*', regex, '🌧 rain'), '* rain');
    assert.equal(replaceWith('\\p{Script=Han}+', '漢字', regex, '雨, rain'), '漢字, rain');
  });

  it('reports an invalid expression as a value, never by throwing', () => {
    for (const find of ['(unclosed', '[z-a]', '\\_', '*']) {
      const compiled = compileReplace(find, '', regex);
      assert.equal(compiled.ok, false, find);
      assert.match(compiled.ok ? '' : compiled.error, /^Not a valid regular expression: /);
    }
  });

  it('refuses an empty search in both modes', () => {
    assert.deepEqual(compileReplace('', 'x', plain), { ok: false, error: 'Type something to find.' });
    assert.deepEqual(compileReplace('', 'x', regex), { ok: false, error: 'Type something to find.' });
  });
});
