import type { GenerationRequest } from '../../src/core/generation/request';

/** A resolved request for Spyke with his LoRA, small enough (4 steps) for the test double to run fast. */
export function sampleRequest(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    template: 'txt2img-lora',
    characterId: 'spyke',
    prompt: 'spyke_plasma_v1, running through a neon alley',
    negative: 'lowres',
    width: 512,
    height: 768,
    steps: 4,
    cfg: 7,
    sampler: 'euler_ancestral',
    scheduler: 'normal',
    checkpoint: 'sd15.safetensors',
    lora: { name: 'spyke_plasma_v1.safetensors', strength: 0.8 },
    target: { kind: 'free', subject: 'spyke' },
    seeds: [101],
    ...overrides,
  };
}
