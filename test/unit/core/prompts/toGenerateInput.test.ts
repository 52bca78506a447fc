import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRequest } from '../../../../src/core/generation/resolveRequest';
import { parsePromptFile } from '../../../../src/core/prompts/parsePromptFile';
import { toGenerateInput } from '../../../../src/core/prompts/toGenerateInput';
import { studioDefaults } from '../../../../src/core/studio/documents';
import { samplePage, samplePagePath } from './fixtures';
import { m1Profile, spyke } from '../../../support/sampleCharacter';

const m1 = m1Profile;
const studio = { name: 'S', defaults: studioDefaults };

describe('toGenerateInput', () => {
  it('maps a panel of the sample page to what resolveRequest takes', () => {
    const [panel] = parsePromptFile(samplePagePath, samplePage()).panels;
    const input = toGenerateInput(panel!, spyke);
    assert.deepEqual(
      { ...input, character: input.character?.id },
      {
        prompt: 'spyke_plasma_v1, full body, running through a neon alley at night, rain',
        negative: 'lowres, bad hands',
        width: 512,
        height: 768,
        steps: 24,
        cfg: 7,
        sampler: 'euler_ancestral',
        scheduler: undefined,
        checkpoint: undefined,
        template: undefined,
        seed: 1234,
        count: undefined,
        target: { kind: 'page', chapter: 1, page: 1, panel: 1 },
        loraStrength: undefined,
        character: 'spyke',
        lora: undefined,
      },
    );
    const request = resolveRequest(input, studio, input.character, m1);
    assert.deepEqual(request.seeds, [1234]);
    assert.deepEqual(request.target, { kind: 'page', chapter: 1, page: 1, panel: 1 });
    assert.equal(request.prompt, 'spyke_plasma_v1, full body, running through a neon alley at night, rain');
    assert.deepEqual(request.lora, { name: 'spyke_plasma_v1.safetensors', strength: 0.8 });
  });

  it("puts a panel's LoRA and strength in place of the character's", () => {
    const text = '---\nchapter: 2\npage: 5\n---\n## Panel 1\n## Panel 2\nx\nlora: spyke_alt.safetensors\nlora_strength: 0.5\ncount: 4\nsize: 768x512\n';
    const panel = parsePromptFile('p.page.md', text).panels[1]!;
    const input = toGenerateInput(panel, spyke);
    assert.equal(input.character?.lora, 'spyke_alt.safetensors');
    assert.equal(spyke.lora, 'spyke_plasma_v1');
    assert.deepEqual(input.target, { kind: 'page', chapter: 2, page: 5, panel: 2 });
    const request = resolveRequest(input, studio, input.character, m1);
    assert.deepEqual(request.lora, { name: 'spyke_alt.safetensors', strength: 0.5 });
    assert.equal(request.seeds.length, 4);
    assert.deepEqual([request.width, request.height], [768, 512]);
  });

  it('leaves the target to resolveRequest when the page is not known', () => {
    const panel = parsePromptFile('loose.md', '## Panel 1\na city\nlora: x\n').panels[0]!;
    const input = toGenerateInput(panel);
    assert.equal(input.target, undefined);
    assert.equal(input.character, undefined);
    assert.equal(input.lora, 'x');
    assert.deepEqual(resolveRequest(input, studio, undefined, m1).target, { kind: 'free', subject: 'image' });
  });
});
