import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addTag, hasTag, joinTags, moveTag, normalizeCaption, prependTrigger, removeTag, splitTags } from '../../../../src/shared/captions/tags';

describe('splitTags and joinTags', () => {
  it('splits at commas, trims, drops empty tags and joins with ", "', () => {
    assert.deepEqual(splitTags(' spyke ,full body,, running  , neon alley ,'), ['spyke', 'full body', 'running', 'neon alley']);
    assert.deepEqual(splitTags(''), []);
    assert.deepEqual(splitTags(' , ,'), []);
    assert.equal(joinTags(['spyke', 'full body']), 'spyke, full body');
    assert.equal(normalizeCaption('spyke,full body ,  rain'), 'spyke, full body, rain');
  });
});

describe('addTag', () => {
  it('appends by default and inserts at a clamped position', () => {
    assert.deepEqual(addTag(['a', 'b'], 'c'), ['a', 'b', 'c']);
    assert.deepEqual(addTag(['a', 'b'], ' c ', 0), ['c', 'a', 'b']);
    assert.deepEqual(addTag(['a', 'b'], 'c', 1), ['a', 'c', 'b']);
    assert.deepEqual(addTag(['a', 'b'], 'c', 99), ['a', 'b', 'c']);
  });

  it('never adds a tag that is there in any case, and returns the same list when nothing changes', () => {
    const tags = ['Red hair', 'smile'];
    assert.equal(addTag(tags, 'red hair'), tags);
    assert.equal(addTag(tags, '  '), tags);
    assert.equal(hasTag(tags, 'RED HAIR'), true);
  });
});

describe('removeTag', () => {
  it('removes every occurrence in any case', () => {
    assert.deepEqual(removeTag(['blurry', 'a', 'Blurry', 'b'], 'BLURRY'), ['a', 'b']);
  });

  it('returns the same list when the tag is absent', () => {
    const tags = ['a', 'b'];
    assert.equal(removeTag(tags, 'c'), tags);
  });
});

describe('moveTag', () => {
  it('moves a tag forward and backward', () => {
    assert.deepEqual(moveTag(['a', 'b', 'c', 'd'], 0, 2), ['b', 'c', 'a', 'd']);
    assert.deepEqual(moveTag(['a', 'b', 'c', 'd'], 3, 1), ['a', 'd', 'b', 'c']);
  });

  it('clamps the target and ignores a source the caption does not have', () => {
    assert.deepEqual(moveTag(['a', 'b', 'c'], 0, 10), ['b', 'c', 'a']);
    const tags = ['a', 'b'];
    assert.equal(moveTag(tags, 5, 0), tags);
    assert.equal(moveTag(tags, 1, 1), tags);
    assert.equal(moveTag(tags, 1, 7), tags);
  });
});

describe('prependTrigger', () => {
  it('puts an absent trigger first', () => {
    assert.deepEqual(prependTrigger(['full body', 'rain'], 'spyke_plasma_v1'), ['spyke_plasma_v1', 'full body', 'rain']);
  });

  it('moves a trigger found elsewhere to the front, once, in the given spelling', () => {
    assert.deepEqual(prependTrigger(['full body', 'Spyke', 'rain', 'spyke'], 'spyke'), ['spyke', 'full body', 'rain']);
  });

  it('leaves a caption that already starts with it alone', () => {
    const tags = ['spyke', 'full body'];
    assert.equal(prependTrigger(tags, 'spyke'), tags);
    assert.deepEqual(prependTrigger(['Spyke', 'full body'], 'spyke'), ['spyke', 'full body']);
  });

  it('matches whole tags only', () => {
    assert.deepEqual(prependTrigger(['spyke girl', 'rain'], 'spyke'), ['spyke', 'spyke girl', 'rain']);
  });
});
