import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifest } from '../../../../src/core/generation/manifest';

describe('parseManifest', () => {
  it('keeps a line’s prompt file, gives older lines without one null, and skips what is not an entry', () => {
    const line = { image: 'output/ch-01/raw/ch01_p001_v1.png', seed: 1, target: { kind: 'page', chapter: 1, page: 1 } };
    const entries = parseManifest(
      [JSON.stringify({ ...line, promptFile: 'chapters/ch-01/p001.page.md' }), 'not json', JSON.stringify({ image: 'x.png' }), JSON.stringify({ ...line, seed: 2 })].join('\n'),
    );
    assert.deepEqual(
      entries.map((entry) => [entry.seed, entry.promptFile]),
      [
        [1, 'chapters/ch-01/p001.page.md'],
        [2, null],
      ],
    );
  });
});
