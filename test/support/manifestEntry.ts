import type { ManifestEntry } from '../../src/core/generation/manifest';
import type { OutputTarget } from '../../src/core/generation/request';
import { sidecarOf } from '../../src/core/studio/layout';

/** A line of output/generation-log.jsonl as the generation queue writes it, for `image` made with `seed`. */
export function manifestEntry(image: string, target: OutputTarget, seed: number): ManifestEntry {
  return {
    image,
    workflow: sidecarOf(image),
    jobId: `job-${seed}`,
    promptId: `0f3c5a2e-7d41-4b8e-9a6c-${String(seed).padStart(12, '0')}`,
    createdAt: '2025-11-21T15:28:00.000Z',
    seed,
    sampler: 'euler_ancestral',
    scheduler: 'normal',
    steps: 24,
    cfg: 7,
    width: 512,
    height: 768,
    checkpoint: 'animagine-xl-3.1.safetensors',
    lora: { name: 'spyke_plasma_v1', strength: 0.8 },
    template: 'txt2img-lora',
    character: 'spyke',
    target,
    prompt: 'spyke_plasma_v1, man, blue hair, courier jacket, running across a rooftop, neon city at night, rain, dynamic pose, wide shot, manga style, screentone',
    negative: 'extra fingers, lowres, bad anatomy, watermark, text',
    promptHash: '3f2a9c7e1b4d6a80',
    promptFile: target.kind === 'page' ? `chapters/ch-${String(target.chapter).padStart(2, '0')}/p${String(target.page).padStart(3, '0')}.page.md` : null,
    comfyuiVersion: '0.3.64',
    timings: { queueWaitMs: 12, runMs: 8421, downloadMs: 35 },
  };
}

/** The same entry as the one JSON line appended to the log. */
export function manifestLine(image: string, target: OutputTarget, seed: number): string {
  return `${JSON.stringify(manifestEntry(image, target, seed))}\n`;
}
