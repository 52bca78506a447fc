import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareFields, diffWords } from '../../../../webview/gallery/compareParameters';

test('every field of either image, the differing ones first', () => {
  const rows = compareFields(
    [
      { key: 'seed', label: 'Seed', value: '1' },
      { key: 'steps', label: 'Steps', value: '20' },
      { key: 'cfg', label: 'CFG', value: '7' },
    ],
    [
      { key: 'cfg', label: 'CFG', value: '7' },
      { key: 'seed', label: 'Seed', value: '2' },
      { key: 'upscaler', label: 'Upscaler', value: '4x' },
      { key: 'steps', label: 'Steps', value: '20' },
    ],
  );
  assert.deepEqual(
    rows.map((row) => [row.key, row.a, row.b, row.differs]),
    [
      ['seed', '1', '2', true],
      ['upscaler', null, '4x', true],
      ['steps', '20', '20', false],
      ['cfg', '7', '7', false],
    ],
  );
});

const marked = (tokens: readonly { text: string; changed: boolean }[]): string[] => tokens.filter((token) => token.changed).map((token) => token.text);

test('words only one prompt has are marked; separators never are; the text is kept whole', () => {
  const a = '1girl, red hair, (smile:1.2), night city';
  const b = '1girl, short black hair, night city, rain';
  const diff = diffWords(a, b);
  assert.deepEqual(marked(diff.a), ['red', 'smile:1.2']);
  assert.deepEqual(marked(diff.b), ['short', 'black', 'rain']);
  assert.equal(diff.a.map((token) => token.text).join(''), a);
  assert.equal(diff.b.map((token) => token.text).join(''), b);
});

test('order matters: a moved word is a change', () => {
  const diff = diffWords('a b c', 'c a b');
  assert.deepEqual(marked(diff.a), ['c']);
  assert.deepEqual(marked(diff.b), ['c']);
});

test('equal, empty and one-sided prompts', () => {
  assert.deepEqual(marked(diffWords('same words', 'same words').a), []);
  assert.deepEqual(diffWords('', ''), { a: [], b: [] });
  assert.deepEqual(marked(diffWords('', 'only here').b), ['only', 'here']);
});

test('very long prompts fall back to a cheaper comparison instead of stalling', () => {
  const words = (n: number, prefix: string): string => Array.from({ length: n }, (_, k) => `${prefix}${k % 50}`).join(', ');
  const started = performance.now();
  const diff = diffWords(words(2000, 'w'), `${words(1000, 'w')}, extra`);
  assert.ok(performance.now() - started < 500);
  assert.deepEqual(marked(diff.b), ['extra']);
});
