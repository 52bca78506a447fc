import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captionHasTrigger, captionLine } from '../../../../src/core/datasets/captions';

describe('captionLine', () => {
  it('is the first line, trimmed, without a byte-order mark: what sd-scripts trains on', () => {
    assert.equal(captionLine('\uFEFF spyke_v1, full body \r\nnotes for me\n'), 'spyke_v1, full body');
    assert.equal(captionLine('\n spyke_v1, full body'), '');
    assert.equal(captionLine(''), '');
  });
});

describe('captionHasTrigger', () => {
  it('finds the trigger as a whole tag or a whole word, in any case', () => {
    for (const caption of [
      'spyke_v1, full body, standing, neon alley',
      'full body,spyke_v1,standing',
      'photo of Spyke_V1 standing in the rain.',
      'a portrait of spyke_v1',
      '(spyke_v1:1.2), portrait',
      '"spyke_v1" on a rooftop',
    ]) {
      assert.equal(captionHasTrigger(caption, 'spyke_v1'), true, caption);
    }
  });

  it('does not take a longer word for the trigger', () => {
    for (const caption of ['spyke_v1s, full body', 'spyke_v1-2, full body', 'xspyke_v1, full body', 'spyke, full body', 'spyke v1, full body', '']) {
      assert.equal(captionHasTrigger(caption, 'spyke_v1'), false, caption);
    }
  });

  it('reads a trigger with characters that mean something in a pattern as themselves', () => {
    assert.equal(captionHasTrigger('sks.v2, portrait', 'sks.v2'), true);
    assert.equal(captionHasTrigger('sksxv2, portrait', 'sks.v2'), false);
    assert.equal(captionHasTrigger('anything', ''), false);
  });
});
