import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTags, suggestTags } from '../../../../src/shared/captions/tagFrequency';

const captions = ['spyke, full body, rain', 'spyke, close-up, Rain, rain', 'spyke, full body, smile', 'mira, red hair', 'spyke, red eyes'];

describe('countTags', () => {
  it('counts captions per tag, once per caption, case folded, most used first then by name', () => {
    assert.deepEqual(countTags(captions), [
      { tag: 'spyke', count: 4 },
      { tag: 'full body', count: 2 },
      { tag: 'rain', count: 2 },
      { tag: 'close-up', count: 1 },
      { tag: 'mira', count: 1 },
      { tag: 'red eyes', count: 1 },
      { tag: 'red hair', count: 1 },
      { tag: 'smile', count: 1 },
    ]);
    assert.deepEqual(countTags([]), []);
  });
});

describe('suggestTags', () => {
  const counts = countTags(captions);

  it('keeps the tags starting with the prefix, in any case, in count order, up to the limit', () => {
    assert.deepEqual(suggestTags(counts, { prefix: 'RE', limit: 10 }), [
      { tag: 'red eyes', count: 1 },
      { tag: 'red hair', count: 1 },
    ]);
    assert.deepEqual(suggestTags(counts, { prefix: '', limit: 2 }).map((entry) => entry.tag), ['spyke', 'full body']);
    assert.deepEqual(suggestTags(counts, { prefix: 'zzz', limit: 5 }), []);
  });

  it('leaves out tags the caption already has', () => {
    assert.deepEqual(suggestTags(counts, { prefix: 's', limit: 5, exclude: ['Spyke'] }).map((entry) => entry.tag), ['smile']);
  });
});
