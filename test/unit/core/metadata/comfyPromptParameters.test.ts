import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadWorkflowFile } from '../../../../src/core/generation/templates';
import { fillWorkflow } from '../../../../src/core/comfy/workflow/fill';
import { comfyPromptParameters, noComfyParameters } from '../../../../src/core/metadata/comfyPromptParameters';
import { parseLenientJson } from '../../../../src/core/metadata/lenientJson';
import { repoRoot } from '../../../support/tempStudio';

const none = noComfyParameters;

type Node = { class_type: string; inputs: Record<string, unknown> };

/** checkpoint → encoders → empty latent → sampler → decode → save, with `overrides` merged in. */
function txt2img(overrides: Record<string, Node> = {}): Record<string, Node> {
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'base.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 832, height: 1216, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse at dusk', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
    '3': {
      class_type: 'KSampler',
      inputs: { seed: 42, steps: 25, cfg: 6.5, sampler_name: 'dpmpp_2m', scheduler: 'karras', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
    ...overrides,
  };
}

describe('comfyPromptParameters', () => {
  it('reads the graph a real ComfyUI was sent (recorded)', async () => {
    const run = JSON.parse(await readFile(path.join(repoRoot, 'test/fixtures/comfyui/recorded/runs/checkpoint_load_error.json'), 'utf8')) as { request: { prompt: unknown } };
    assert.deepEqual(comfyPromptParameters(run.request.prompt), {
      prompt: 'a lighthouse at dusk',
      negative: 'blurry',
      seed: 1,
      steps: 4,
      cfg: 7,
      sampler: 'euler',
      scheduler: 'normal',
      denoise: 1,
      width: 64,
      height: 64,
      checkpoint: 'dummy.safetensors',
      loras: [],
    });
  });

  for (const template of ['txt2img', 'txt2img-lora']) {
    it(`reads back what StudioNOVA filled into its ${template} template`, async () => {
      const loaded = await loadWorkflowFile(path.join(repoRoot, 'workflows', `${template}.json`), 'builtin');
      const lora = template === 'txt2img-lora' ? { lora: 'spyke_plasma_v1.safetensors', loraStrength: 0.65 } : {};
      const values = { positive: 'spyke, running in the rain', negative: 'lowres', seed: 987654321, steps: 31, cfg: 5.5, sampler: 'dpmpp_2m', scheduler: 'karras', checkpoint: 'animagine-xl-3.1.safetensors', width: 512, height: 768, ...lora };
      const filled = fillWorkflow(loaded.workflow, loaded.slots, values, template);
      assert.deepEqual(comfyPromptParameters(filled), {
        prompt: values.positive,
        negative: values.negative,
        seed: values.seed,
        steps: values.steps,
        cfg: values.cfg,
        sampler: values.sampler,
        scheduler: values.scheduler,
        denoise: 1,
        width: values.width,
        height: values.height,
        checkpoint: values.checkpoint,
        loras: template === 'txt2img-lora' ? [{ name: 'spyke_plasma_v1.safetensors', strength: 0.65 }] : [],
      });
    });
  }

  it('follows the model through a chain of LoRA loaders and model patches, listing LoRAs from the checkpoint on', () => {
    const graph = txt2img({
      '10': { class_type: 'LoraLoader', inputs: { lora_name: 'style.safetensors', strength_model: 0.8, strength_clip: 0.5, model: ['4', 0], clip: ['4', 1] } },
      '11': { class_type: 'LoraLoaderModelOnly', inputs: { lora_name: 'detail.safetensors', strength_model: 1.2, model: ['10', 0] } },
      '12': { class_type: 'ModelSamplingDiscrete', inputs: { sampling: 'eps', zsnr: false, model: ['11', 0] } },
    });
    graph['3']!.inputs['model'] = ['12', 0];
    const found = comfyPromptParameters(graph);
    assert.equal(found.checkpoint, 'base.safetensors');
    assert.deepEqual(found.loras, [
      { name: 'style.safetensors', strength: 0.8 },
      { name: 'detail.safetensors', strength: 1.2 },
    ]);
  });

  it('reads a graph whose JSON holds bare NaN and Infinity, as Python writes it', () => {
    const text = JSON.stringify(txt2img({ '20': { class_type: 'LoadImage', inputs: { image: 'x.png', is_changed: ['__NAN__'] } } }))
      .replace('"__NAN__"', 'NaN, Infinity, -Infinity')
      .replace('a lighthouse at dusk', 'a NaN Infinity sign');
    assert.throws(() => JSON.parse(text));
    const found = comfyPromptParameters(parseLenientJson(text));
    assert.equal(found.prompt, 'a NaN Infinity sign', 'words inside strings stay as written');
    assert.equal(found.seed, 42);
  });

  it('follows text and numbers through primitive nodes and conditioning nodes', () => {
    const graph = txt2img({
      '20': { class_type: 'PrimitiveStringMultiline', inputs: { value: 'from a primitive' } },
      '21': { class_type: 'PrimitiveInt', inputs: { value: 777 } },
      '6': { class_type: 'CLIPTextEncode', inputs: { text: ['20', 0], clip: ['4', 1] } },
      '30': { class_type: 'ControlNetApplyAdvanced', inputs: { positive: ['6', 0], negative: ['7', 0], control_net: ['31', 0], image: ['32', 0], strength: 1 } },
      '33': { class_type: 'FluxGuidance', inputs: { conditioning: ['30', 0], guidance: 3.5 } },
    });
    Object.assign(graph['3']!.inputs, { seed: ['21', 0], positive: ['33', 0], negative: ['30', 1] });
    const found = comfyPromptParameters(graph);
    assert.deepEqual([found.prompt, found.negative, found.seed], ['from a primitive', 'blurry', 777]);
  });

  it('takes the sampler that made the saved image: the base pass of a hires fix, not a stray sampler', () => {
    const graph = txt2img({
      // A sampler that leads nowhere, with the lowest id.
      '1': { class_type: 'KSampler', inputs: { seed: 1, steps: 5, cfg: 1, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
      '40': { class_type: 'LatentUpscaleBy', inputs: { samples: ['3', 0], upscale_method: 'nearest-exact', scale_by: 1.5 } },
      '41': { class_type: 'KSampler', inputs: { seed: 2, steps: 12, cfg: 6.5, sampler_name: 'euler', scheduler: 'karras', denoise: 0.45, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['40', 0] } },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['41', 0], vae: ['4', 2] } },
    });
    const found = comfyPromptParameters(graph);
    assert.deepEqual([found.seed, found.steps, found.denoise, found.width, found.height], [42, 25, 1, 832, 1216]);
  });

  it('reads a SamplerCustomAdvanced graph from its noise, guider, sampler and sigmas nodes', () => {
    const graph = {
      '1': { class_type: 'UNETLoader', inputs: { unet_name: 'flux1-dev.safetensors', weight_dtype: 'default' } },
      '2': { class_type: 'CLIPTextEncode', inputs: { text: 'a fox', clip: ['9', 0] } },
      '3': { class_type: 'RandomNoise', inputs: { noise_seed: 123456 } },
      '4': { class_type: 'BasicGuider', inputs: { model: ['1', 0], conditioning: ['2', 0] } },
      '5': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' } },
      '6': { class_type: 'BasicScheduler', inputs: { scheduler: 'simple', steps: 20, denoise: 1, model: ['1', 0] } },
      '7': { class_type: 'EmptySD3LatentImage', inputs: { width: 1024, height: 768, batch_size: 1 } },
      '8': { class_type: 'SamplerCustomAdvanced', inputs: { noise: ['3', 0], guider: ['4', 0], sampler: ['5', 0], sigmas: ['6', 0], latent_image: ['7', 0] } },
      '10': { class_type: 'VAEDecode', inputs: { samples: ['8', 0], vae: ['11', 0] } },
      '12': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: 'flux' } },
    };
    assert.deepEqual(comfyPromptParameters(graph), {
      ...none,
      prompt: 'a fox',
      seed: 123456,
      steps: 20,
      sampler: 'euler',
      scheduler: 'simple',
      denoise: 1,
      width: 1024,
      height: 768,
      checkpoint: 'flux1-dev.safetensors',
    });
  });

  it('never throws on odd graphs, and returns what it found', () => {
    for (const odd of [null, undefined, 'text', 42, [], [['3', 0]], {}, { '3': null }, { '3': { class_type: 'KSampler' } }, { '3': { class_type: 'KSampler', inputs: [] } }]) {
      assert.deepEqual(comfyPromptParameters(odd), none, JSON.stringify(odd));
    }
    // Links that loop, point nowhere or are malformed.
    const looping = {
      '3': { class_type: 'KSampler', inputs: { seed: 9, model: ['12', 0], positive: ['13', 0], negative: ['99', 0], latent_image: ['3', 0] } },
      '12': { class_type: 'LoraLoader', inputs: { lora_name: 'loop.safetensors', strength_model: 1, model: ['12', 0] } },
      '13': { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['13', 0], conditioning_2: ['6', 0] } },
      '6': { class_type: 'CLIPTextEncode', inputs: { text: 42 } },
    };
    const found = comfyPromptParameters(looping);
    assert.equal(found.seed, 9);
    assert.equal(found.prompt, undefined);
    assert.equal(found.checkpoint, undefined);
    assert.deepEqual(found.loras, [{ name: 'loop.safetensors', strength: 1 }], 'a LoRA loader met twice is listed once');
  });
});

describe('parseLenientJson', () => {
  it('turns bare non-finite numbers into null, outside strings only', () => {
    assert.deepEqual(parseLenientJson('{"a": [NaN, Infinity, -Infinity, 1.5], "b": "NaN \\"Infinity\\" -Infinity"}'), {
      a: [null, null, null, 1.5],
      b: 'NaN "Infinity" -Infinity',
    });
    assert.deepEqual(parseLenientJson('[1, -2]'), [1, -2]);
    assert.throws(() => parseLenientJson('{"a": NaNa}'), SyntaxError);
    assert.throws(() => parseLenientJson('not json'), SyntaxError);
  });
});
