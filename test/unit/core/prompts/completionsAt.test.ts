import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CompletionContext, completionsAt, type PromptCompletion } from '../../../../src/core/prompts/completionsAt';
import { parsePromptFile } from '../../../../src/core/prompts/parsePromptFile';
import { samplePage, samplePagePath } from './fixtures';

const context: CompletionContext = {
  characters: new Set(['spyke', 'mira']),
  samplers: ['euler', 'euler_ancestral'],
  schedulers: ['normal', 'karras'],
  checkpoints: ['v1-5-pruned-emaonly.safetensors'],
  loras: ['spyke_plasma_v1.safetensors'],
  templates: ['txt2img', 'txt2img-lora'],
};

const at = (text: string, line: number, column: number, given: CompletionContext = context): PromptCompletion[] =>
  completionsAt(parsePromptFile('p.page.md', text), line, column, given);

describe('completionsAt', () => {
  it('offers samplers in the front matter, replacing the value being typed', () => {
    const parsed = parsePromptFile(samplePagePath, samplePage());
    const items = completionsAt(parsed, 7, 12, context);
    assert.deepEqual(items.map((i) => [i.label, i.kind]), [
      ['euler', 'sampler'],
      ['euler_ancestral', 'sampler'],
    ]);
    assert.deepEqual(items[0]!.range, { startLine: 7, startColumn: 9, endLine: 7, endColumn: 24 });
  });

  it('offers character ids, sorted, in a panel', () => {
    const items = at('## Panel 1\na street\ncharacter: sp\n', 2, 13);
    assert.deepEqual(items.map((i) => i.label), ['mira', 'spyke']);
    assert.deepEqual(items[0]!.range, { startLine: 2, startColumn: 11, endLine: 2, endColumn: 13 });
    assert.equal(items[0]!.kind, 'character');
    assert.equal(items[0]!.insertText, 'mira');
  });

  it('offers schedulers, checkpoints, LoRAs and templates, whatever the key is spelled', () => {
    const text = '## Panel 1\nx\nScheduler: \nCHECKPOINT: v\nlora: \ntemplate: t\n';
    assert.deepEqual(at(text, 2, 11).map((i) => i.label), ['normal', 'karras']);
    assert.deepEqual(at(text, 3, 13).map((i) => i.kind), ['checkpoint']);
    assert.deepEqual(at(text, 4, 6).map((i) => i.label), ['spyke_plasma_v1.safetensors']);
    assert.deepEqual(at(text, 5, 11).map((i) => i.label), ['txt2img', 'txt2img-lora']);
  });

  it('puts a space after a bare colon and keeps YAML quotes', () => {
    const [bare] = at('## Panel 1\nx\nsampler:\n', 2, 8);
    assert.equal(bare!.insertText, ' euler');
    assert.deepEqual(bare!.range, { startLine: 2, startColumn: 8, endLine: 2, endColumn: 8 });
    const [quoted] = at('---\nsampler: "eu"\n---\n', 1, 12);
    assert.deepEqual(quoted!.range, { startLine: 1, startColumn: 10, endLine: 1, endColumn: 12 });
  });

  it('offers nothing on the key, in prompt text, notes, code, nested YAML, other keys or unknown lists', () => {
    const text = '---\nextra:\n  sampler: e\nsteps: 2\n---\nsampler: e\n## Panel 1\nsampler: e\n```\nsampler: e\n```\na sampler: e\n';
    assert.deepEqual(at(text, 7, 3), []);
    assert.equal(at(text, 7, 10).length, 2);
    for (const [line, column] of [[2, 12], [3, 8], [5, 10], [9, 10], [11, 12], [40, 0], [-1, 0]] as const) {
      assert.deepEqual(at(text, line, column), [], `line ${line}`);
    }
    assert.deepEqual(at(text, 7, 10, { ...context, samplers: undefined } ), []);
  });
});
