import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRequest } from '../../../../src/core/generation/resolveRequest';
import { studioDefaults } from '../../../../src/core/studio/documents';
import { m1Profile, spyke } from '../../../support/sampleCharacter';

const studio = { name: 'S', defaults: { ...studioDefaults, negative: 'lowres', checkpoint: 'sd15.safetensors' }, galleryRoots: [] };
const m1 = m1Profile;

describe('resolveRequest', () => {
  it('leads with the trigger word, uses the LoRA template and joins the negatives', () => {
    const request = resolveRequest({ prompt: 'running in the rain', count: 2, seed: 7 }, studio, spyke, m1);
    assert.equal(request.prompt, 'spyke_plasma_v1, running in the rain');
    assert.equal(request.template, 'txt2img-lora');
    assert.deepEqual(request.lora, { name: 'spyke_plasma_v1.safetensors', strength: 0.8 });
    assert.equal(request.negative, 'lowres, extra fingers');
    assert.deepEqual(request.seeds, [7, 8]);
    assert.deepEqual(request.target, { kind: 'free', subject: 'spyke' });
    assert.deepEqual([request.width, request.height, request.checkpoint], [512, 768, 'sd15.safetensors']);
  });

  it('does not repeat a trigger word the prompt already has, and uses txt2img without a character', () => {
    assert.equal(resolveRequest({ prompt: 'spyke_plasma_v1, grin' }, studio, spyke, m1).prompt, 'spyke_plasma_v1, grin');
    const plain = resolveRequest({ prompt: 'a city' }, studio, undefined, m1);
    assert.deepEqual([plain.template, plain.lora, plain.negative, plain.target], ['txt2img', undefined, 'lowres', { kind: 'free', subject: 'image' }]);
  });

  it('refuses a size over the hardware profile before anything is queued', () => {
    assert.throws(() => resolveRequest({ prompt: 'x', width: 640, height: 768 }, studio, undefined, m1), /over the Apple M1, 16 GB limit of 512×768/);
  });
});
