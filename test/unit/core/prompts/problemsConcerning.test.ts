import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnosePromptFile } from '../../../../src/core/prompts/diagnosePromptFile';
import { parsePromptFile } from '../../../../src/core/prompts/parsePromptFile';
import { problemsConcerning } from '../../../../src/core/prompts/problemsConcerning';
import { m1Profile } from '../../../support/sampleCharacter';

const text = ['---', 'steps: 0', '---', '## Panel 1', 'a city', 'seed: -1', '## Panel 2', 'rain', 'cfg: 99'].join('\n');
const parsed = parsePromptFile('chapters/ch-01/p001.page.md', text);
const problems = diagnosePromptFile(parsed, { characters: new Set(), hardware: m1Profile });
const lines = (list: readonly { range: { startLine: number } }[]): number[] => list.map((p) => p.range.startLine);

describe('problemsConcerning', () => {
  it("keeps the front matter's problems and the chosen panels', not the other panels'", () => {
    assert.deepEqual(lines(problems), [1, 5, 8]);
    assert.deepEqual(lines(problemsConcerning(problems, parsed, new Set([2]))), [1, 8]);
    assert.deepEqual(lines(problemsConcerning(problems, parsed, new Set([1]))), [1, 5]);
  });

  it('keeps every problem for the whole page', () => {
    assert.deepEqual(lines(problemsConcerning(problems, parsed)), [1, 5, 8]);
  });
});
