import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import {
  type ImageParameters,
  parameterFields,
  parametersFromManifest,
  parametersFromPngText,
  readImageParameters,
} from '../../../../src/core/metadata/imageParameters';
import { type PngInfo, withPngText } from '../../../../src/core/metadata/pngText';
import { manifestEntry } from '../../../support/manifestEntry';
import { withTempFolder } from '../../../support/tempStudio';

const graph = {
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'base.safetensors' } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 768, batch_size: 1 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
  '3': {
    class_type: 'KSampler',
    inputs: { seed: 42, steps: 25, cfg: 6.5, sampler_name: 'dpmpp_2m', scheduler: 'karras', denoise: 0.9, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] },
  },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
};
const infotext = 'a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 9, Size: 512x512, Version: v1.10.1';

function png(text: Record<string, string>, width = 512, height = 768): PngInfo {
  return { width, height, text: Object.entries(text).map(([keyword, value]) => ({ keyword, text: value })) };
}

describe('parametersFromPngText', () => {
  it("takes ComfyUI's prompt graph first, then A1111's parameters, else says it does not know", () => {
    const comfy = parametersFromPngText(png({ prompt: JSON.stringify(graph), workflow: '{"nodes":[]}' }));
    assert.deepEqual([comfy.source, comfy.prompt, comfy.seed, comfy.checkpoint], ['comfyui', 'a lighthouse', 42, 'base.safetensors']);
    assert.deepEqual(comfy.extra, [{ key: 'denoise', label: 'Denoise', value: '0.9' }]);
    const both = parametersFromPngText(png({ parameters: infotext, prompt: JSON.stringify(graph) }));
    assert.equal(both.source, 'comfyui');
    const a1111 = parametersFromPngText(png({ parameters: infotext }, 512, 512));
    assert.deepEqual([a1111.source, a1111.prompt, a1111.negative, a1111.seed, a1111.sampler], ['a1111', 'a cat', 'dog', 9, 'Euler a']);
    const unknown = parametersFromPngText(png({ Software: 'Krita' }, 64, 48));
    assert.deepEqual(unknown, {
      source: 'unknown',
      prompt: undefined,
      negative: undefined,
      seed: undefined,
      steps: undefined,
      cfg: undefined,
      sampler: undefined,
      scheduler: undefined,
      width: 64,
      height: 48,
      checkpoint: undefined,
      loras: [],
      extra: [{ key: 'text:Software', label: 'Software', value: 'Krita' }],
    });
  });

  it('reads a graph with NaN in it, and says so when the prompt chunk is not JSON at all, without throwing', () => {
    const withNaN = parametersFromPngText(png({ prompt: JSON.stringify(graph).replace('"batch_size":1', '"batch_size":1,"x":NaN') }));
    assert.deepEqual([withNaN.source, withNaN.seed], ['comfyui', 42]);
    const garbled = parametersFromPngText(png({ prompt: '{"3": {"class_type": "KSampler", "inpu' }));
    assert.equal(garbled.source, 'unknown');
    assert.deepEqual(garbled.extra[0], { key: 'unreadable', label: 'Unreadable metadata', value: 'The "prompt" text chunk is not a ComfyUI graph: it is not valid JSON.' });
    assert.equal(parametersFromPngText(png({ prompt: '{"style": "anime"}' })).source, 'unknown', 'JSON that holds no nodes is no graph');
    const garbledWithInfotext = parametersFromPngText(png({ prompt: 'a plain text prompt', parameters: infotext }));
    assert.equal(garbledWithInfotext.source, 'a1111');
    assert.ok(garbledWithInfotext.extra.some((field) => field.key === 'unreadable'));
  });

  it("gives the image's own size, and the size it was generated at when that differs (an upscale)", () => {
    const same = parametersFromPngText(png({ prompt: JSON.stringify(graph) }, 512, 768));
    assert.deepEqual([same.width, same.height, same.extra.some((f) => f.key === 'generatedSize')], [512, 768, false]);
    const upscaled = parametersFromPngText(png({ prompt: JSON.stringify(graph) }, 1024, 1536));
    assert.deepEqual([upscaled.width, upscaled.height], [1024, 1536]);
    assert.deepEqual(upscaled.extra.at(-1), { key: 'generatedSize', label: 'Generated at', value: '512×768' });
  });
});

describe('parametersFromManifest', () => {
  const entry = manifestEntry('output/ch-01/raw/ch01_p002_v3.png', { kind: 'page', chapter: 1, page: 2, panel: 4 }, 1234);

  it("takes every field from StudioNOVA's log line, and its own details as extras in reading order", () => {
    const params = parametersFromManifest(entry, undefined);
    assert.equal(params.source, 'studionova');
    assert.deepEqual(
      [params.prompt, params.negative, params.seed, params.steps, params.cfg, params.sampler, params.scheduler, params.width, params.height, params.checkpoint],
      [entry.prompt, entry.negative, entry.seed, entry.steps, entry.cfg, entry.sampler, entry.scheduler, entry.width, entry.height, entry.checkpoint],
    );
    assert.deepEqual(params.loras, [{ name: entry.lora!.name, strength: entry.lora!.strength }]);
    assert.deepEqual(params.extra, [
      { key: 'character', label: 'Character', value: 'spyke' },
      { key: 'chapter', label: 'Chapter', value: '1' },
      { key: 'page', label: 'Page', value: '2' },
      { key: 'panel', label: 'Panel', value: '4' },
      { key: 'version', label: 'Version', value: '3' },
      { key: 'template', label: 'Template', value: 'txt2img-lora' },
      { key: 'promptFile', label: 'Prompt file', value: 'chapters/ch-01/p002.page.md' },
      { key: 'createdAt', label: 'Created', value: '2025-11-21T15:28:00.000Z' },
      { key: 'comfyuiVersion', label: 'ComfyUI version', value: '0.3.64' },
      { key: 'queueWaitMs', label: 'Queue wait', value: '12 ms' },
      { key: 'runMs', label: 'Run time', value: '8421 ms' },
      { key: 'downloadMs', label: 'Download', value: '35 ms' },
    ]);
  });

  it('adds from the sidecar graph what the line lacks: denoise, further LoRAs, a field missing from an older line', () => {
    const sidecar = {
      ...graph,
      '10': { class_type: 'LoraLoader', inputs: { lora_name: `${entry.lora!.name}.safetensors`, strength_model: 0.8, model: ['4', 0], clip: ['4', 1] } },
      '11': { class_type: 'LoraLoader', inputs: { lora_name: 'ink.safetensors', strength_model: 0.3, model: ['10', 0], clip: ['10', 1] } },
      '3': { ...graph['3'], inputs: { ...graph['3'].inputs, model: ['11', 0] } },
    };
    const olderLine = { ...entry, steps: undefined } as unknown as typeof entry;
    const params = parametersFromManifest(olderLine, sidecar);
    assert.equal(params.steps, 25, 'from the sidecar');
    assert.equal(params.seed, entry.seed, 'the line wins where it has the field');
    assert.deepEqual(params.loras, [
      { name: entry.lora!.name, strength: entry.lora!.strength },
      { name: 'ink.safetensors', strength: 0.3 },
    ]);
    assert.deepEqual(params.extra.at(-1), { key: 'denoise', label: 'Denoise', value: '0.9' });
  });

  it('names the subject of a free generation instead of chapter, page and panel', () => {
    const free = manifestEntry('output/spyke/raw/spyke_v1.png', { kind: 'free', subject: 'spyke' }, 5);
    const keys = parametersFromManifest(free, undefined).extra.map((field) => field.key);
    assert.deepEqual(keys.slice(0, 3), ['character', 'subject', 'template']);
  });
});

describe('parameterFields', () => {
  const params: ImageParameters = {
    source: 'comfyui',
    prompt: 'not listed',
    negative: 'not listed either',
    seed: 42,
    steps: 30,
    cfg: 6.5,
    sampler: 'euler',
    scheduler: undefined,
    width: 512,
    height: 768,
    checkpoint: 'base.safetensors',
    loras: [
      { name: 'style', strength: 0.8 },
      { name: 'other', strength: 1 },
      { name: 'bare', strength: undefined },
    ],
    extra: [
      { key: 'denoise', label: 'Denoise', value: '0.5' },
      { key: 'seed', label: 'Seed again', value: 'a duplicate key is dropped' },
    ],
  };

  it('lists seed, steps, CFG, sampler, scheduler, size, checkpoint, LoRAs, then the extras; never the prompts', () => {
    assert.deepEqual(parameterFields(params), [
      { key: 'seed', label: 'Seed', value: '42' },
      { key: 'steps', label: 'Steps', value: '30' },
      { key: 'cfg', label: 'CFG', value: '6.5' },
      { key: 'sampler', label: 'Sampler', value: 'euler' },
      { key: 'size', label: 'Size', value: '512×768' },
      { key: 'checkpoint', label: 'Checkpoint', value: 'base.safetensors' },
      { key: 'loras', label: 'LoRAs', value: 'style (0.8), other (1), bare' },
      { key: 'denoise', label: 'Denoise', value: '0.5' },
    ]);
  });

  it('gives two images the same keys for the same settings, so they can be compared', () => {
    const studio = parameterFields(parametersFromManifest(manifestEntry('output/ch-01/raw/ch01_p001_v1.png', { kind: 'page', chapter: 1, page: 1 }, 1), graph));
    const comfy = parameterFields(parametersFromPngText(png({ prompt: JSON.stringify(graph) })));
    const shared = comfy.map((field) => field.key).filter((key) => studio.some((field) => field.key === key));
    assert.deepEqual(shared, ['seed', 'steps', 'cfg', 'sampler', 'scheduler', 'size', 'checkpoint', 'denoise']);
  });
});

describe('readImageParameters', () => {
  it('reads a PNG file, recognises JPEG and WebP without reading them, and refuses what is not an image', async () => {
    await withTempFolder(async (dir) => {
      const pixels = sharp({ create: { width: 16, height: 8, channels: 3, background: '#08f' } });
      await writeFile(path.join(dir, 'a.png'), withPngText(await pixels.clone().png().toBuffer(), [{ keyword: 'parameters', text: infotext }]));
      await writeFile(path.join(dir, 'b.jpg'), await pixels.clone().jpeg().toBuffer());
      await writeFile(path.join(dir, 'c.webp'), await pixels.clone().webp().toBuffer());
      await writeFile(path.join(dir, 'notes.png'), 'just text');
      const a = await readImageParameters(path.join(dir, 'a.png'));
      assert.deepEqual([a.source, a.seed, a.width, a.height], ['a1111', 9, 16, 8]);
      for (const name of ['b.jpg', 'c.webp']) {
        const other = await readImageParameters(path.join(dir, name));
        assert.deepEqual([other.source, other.width, other.height, other.extra], ['unknown', undefined, undefined, []], name);
      }
      await assert.rejects(readImageParameters(path.join(dir, 'notes.png')), { name: 'InvalidInputError', message: /notes\.png is not an image/ });
      await assert.rejects(readImageParameters(path.join(dir, 'gone.png')), { name: 'InvalidInputError', message: /gone\.png does not exist/ });
    });
  });
});
