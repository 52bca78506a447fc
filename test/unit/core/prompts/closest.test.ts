import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestName, levenshtein } from '../../../../src/core/prompts/closest';

describe('levenshtein and closestName', () => {
  it('counts edits, ignoring case', () => {
    assert.equal(levenshtein('kitten', 'sitting'), 3);
    assert.equal(levenshtein('', 'abc'), 3);
    assert.equal(levenshtein('Euler', 'euler'), 0);
    assert.equal(levenshtein('euler', 'eulr'), 1);
  });

  it('finds the nearest candidate and says whether it is a likely typo', () => {
    assert.deepEqual(closestName('spike', ['mira', 'spyke']), { name: 'spyke', distance: 1, likely: true });
    assert.equal(closestName('heun', ['ddim'])!.likely, false);
    assert.equal(closestName('x', []), undefined);
    // The first one wins a tie.
    assert.equal(closestName('ab', ['aa', 'bb'])!.name, 'aa');
  });
});
