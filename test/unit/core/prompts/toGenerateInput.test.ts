import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRequest } from '../../../../src/core/generation/resolveRequest';
import { parsePromptFile } from '../../../../src/core/prompts/parsePromptFile';
import { panelRequest } from '../../../../src/core/prompts/panelRequest';
import { toGenerateInput } from '../../../../src/core/prompts/toGenerateInput';
import { studioDefaults } from '../../../../src/core/studio/documents';
import { samplePage, samplePagePath } from './fixtures';
import { m1Profile, spyke } from '../../../support/sampleCharacter';

const m1 = m1Profile;
const studio = { name: 'S', defaults: studioDefaults, galleryRoots: [] };

describe('toGenerateInput', () => {
  it('maps a panel of the sample page to what resolveRequest takes', () => {
    const [panel] = parsePromptFile(samplePagePath, samplePage()).panels;
    const input = toGenerateInput(panel!);
    assert.deepEqual(
      input,
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
        lora: undefined,
        loraStrength: undefined,
      },
    );
    const request = resolveRequest(input, studio, spyke, m1);
    assert.deepEqual(request.seeds, [1234]);
    assert.deepEqual(request.target, { kind: 'page', chapter: 1, page: 1, panel: 1 });
    assert.equal(request.prompt, 'spyke_plasma_v1, full body, running through a neon alley at night, rain');
    assert.deepEqual(request.lora, { name: 'spyke_plasma_v1.safetensors', strength: 0.8 });
  });

  it("puts a panel's LoRA and strength in place of the character's", () => {
    const text = '---\nchapter: 2\npage: 5\n---\n## Panel 1\n## Panel 2\nx\nlora: spyke_alt.safetensors\nlora_strength: 0.5\ncount: 4\nsize: 768x512\n';
    const panel = parsePromptFile('p.page.md', text).panels[1]!;
    const input = toGenerateInput(panel);
    assert.equal(input.lora, 'spyke_alt.safetensors');
    assert.deepEqual(input.target, { kind: 'page', chapter: 2, page: 5, panel: 2 });
    const request = resolveRequest(input, studio, spyke, m1);
    assert.deepEqual(request.lora, { name: 'spyke_alt.safetensors', strength: 0.5 });
    assert.equal(request.seeds.length, 4);
    assert.deepEqual([request.width, request.height], [768, 512]);
  });

  it('leaves the target to resolveRequest when the page is not known, and applies a LoRA without a character', () => {
    const panel = parsePromptFile('loose.md', '## Panel 1\na city\nlora: x\n').panels[0]!;
    const input = toGenerateInput(panel);
    assert.equal(input.target, undefined);
    const request = resolveRequest(input, studio, undefined, m1);
    assert.deepEqual(request.target, { kind: 'free', subject: 'image' });
    assert.deepEqual(request.lora, { name: 'x.safetensors', strength: 0.8 });
    assert.equal(request.template, 'txt2img-lora');
  });
});

describe('panelRequest', () => {
  const text = '---\ncharacter: spyke\nseed: 40\n---\n## Panel 1\nrunning\n## Empty\n## Ghost\nx\ncharacter: nobody\n';
  const panels = parsePromptFile('chapters/ch-01/p002.page.md', text).panels;
  const find = (id: string) => (id === 'spyke' ? spyke : undefined);

  it("resolves the panel's character, keeps its seed, or takes fresh seeds when asked", () => {
    const request = panelRequest(panels[0]!, studio, find, m1);
    assert.equal(request.prompt, 'spyke_plasma_v1, running');
    assert.deepEqual(request.seeds, [40]);
    assert.deepEqual(request.target, { kind: 'page', chapter: 1, page: 2, panel: 1 });
    const four = panelRequest(panels[0]!, studio, find, m1, { count: 4, freshSeeds: true });
    assert.equal(four.seeds.length, 4);
    assert.notEqual(four.seeds[0], 40);
  });

  it('refuses a panel without prompt text or with an unknown character, saying what to do', () => {
    assert.throws(() => panelRequest(panels[1]!, studio, find, m1), /Empty has no prompt text: write what to draw/);
    assert.throws(() => panelRequest(panels[2]!, studio, find, m1), /Ghost: there is no character "nobody"/);
  });
});
