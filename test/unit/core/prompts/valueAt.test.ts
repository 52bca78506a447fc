import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePromptFile } from '../../../../src/core/prompts/parsePromptFile';
import { valueAt } from '../../../../src/core/prompts/valueAt';

const text = ['---', 'character: spyke', 'steps: 20', '---', '## Panel 1', 'a city', 'character: mika', '## Panel 2', 'rain'].join('\n');
const parsed = parsePromptFile('chapters/ch-01/p001.page.md', text);

describe('valueAt', () => {
  it('finds the value written under the cursor, in the front matter and in a panel', () => {
    assert.deepEqual(valueAt(parsed, 1, 13), { key: 'character', value: 'spyke', range: { startLine: 1, startColumn: 11, endLine: 1, endColumn: 16 } });
    assert.equal(valueAt(parsed, 6, 12)?.value, 'mika');
  });

  it('finds nothing on prompt text, on the key itself, or where a panel only inherits', () => {
    assert.equal(valueAt(parsed, 5, 2), undefined);
    assert.equal(valueAt(parsed, 1, 3), undefined);
    assert.equal(valueAt(parsed, 8, 1), undefined);
  });
});
