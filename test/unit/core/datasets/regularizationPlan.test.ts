import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { regularizationPlan } from '../../../../src/core/datasets/regularizationPlan';
import { outputStem } from '../../../../src/core/generation/outputWriter';
import type { Character, Dataset } from '../../../../src/core/model/studio';
import { studioDefaults } from '../../../../src/core/studio/documents';

const studio = { name: 'S', defaults: { ...studioDefaults, checkpoint: 'sd15.safetensors', negative: 'lowres' }, galleryRoots: [] };
const hardware = { limits: { maxWidth: 768, maxHeight: 768, trainBatchSize: 1, exclusiveGpu: true }, label: 'test' };
const spyke: Character = { id: 'spyke', name: 'Spyke', trigger: 'spyke_plasma_v1', class: 'man', lora: 'spyke_plasma_v1', negative: 'glasses', description: undefined, path: 'characters/spyke/character.md', consentAt: undefined };
const dataset: Dataset = { id: 'spyke', characterId: 'spyke', trigger: 'spyke_plasma_v1', kind: 'character', repeats: 10, path: 'datasets/spyke', imageCount: 18, captionedCount: 18 };

describe('regularizationPlan', () => {
  it('asks for the class prompt without trigger word or LoRA, square at the training size, into the sibling dataset, 64 at a time', () => {
    const plan = regularizationPlan(dataset, spyke, 150, 512, studio, hardware);
    assert.equal(plan.datasetId, 'spyke-reg');
    assert.equal(plan.caption, 'man');
    assert.deepEqual(plan.requests.map((r) => r.seeds.length), [64, 64, 22]);
    for (const request of plan.requests) {
      assert.equal(request.prompt, 'man');
      assert.equal(request.lora, undefined);
      assert.equal(request.characterId, undefined);
      assert.equal(request.negative, 'lowres');
      assert.deepEqual([request.width, request.height, request.template, request.checkpoint], [512, 512, 'txt2img', 'sd15.safetensors']);
      assert.deepEqual(request.target, { kind: 'dataset', datasetId: 'spyke-reg' });
    }
    assert.deepEqual(outputStem(plan.requests[0]!.target), { folder: 'datasets/spyke-reg', stem: 'spyke-reg' });
  });

  it('refuses a count outside 100–200, a character without a class, and a size over the hardware profile', () => {
    assert.throws(() => regularizationPlan(dataset, spyke, 99, 512, studio, hardware), /100 to 200 images/);
    assert.throws(() => regularizationPlan(dataset, spyke, 201, 512, studio, hardware), /100 to 200 images/);
    assert.throws(() => regularizationPlan(dataset, { ...spyke, class: undefined }, 150, 512, studio, hardware), /Spyke has no class: add "class: man"/);
    assert.throws(() => regularizationPlan(dataset, spyke, 150, 1024, studio, hardware), /test/);
  });
});
