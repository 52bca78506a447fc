import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ApiWorkflow } from '../../../../src/core/comfy/comfyClient';
import { WorkflowError } from '../../../../src/core/comfy/errors';
import { fillWorkflow } from '../../../../src/core/comfy/workflow/fill';
import { toApiWorkflow } from '../../../../src/core/comfy/workflow/format';
import { detectSlots } from '../../../../src/core/comfy/workflow/slots';
import { checkAgainstObjectInfo, comboChoices } from '../../../../src/core/comfy/workflow/validate';
import type { ObjectInfo } from '../../../../src/core/comfy/protocol';

const template = (name: string): ApiWorkflow => toApiWorkflow(JSON.parse(readFileSync(`workflows/${name}.json`, 'utf8')), name);
const where = (slots: ReturnType<typeof detectSlots>): Record<string, string> =>
  Object.fromEntries(Object.entries(slots).map(([slot, at]) => [slot, `${at.node}.${at.input}`]));

describe('toApiWorkflow', () => {
  it('refuses the UI format and says how to export the API format', () => {
    assert.throws(() => toApiWorkflow({ nodes: [], links: [], version: 0.4 }, 'mine.json'), (error: unknown) => {
      assert.ok(error instanceof WorkflowError);
      assert.match(error.userMessage, /UI workflow/);
      assert.match(error.userMessage, /Export \(API\)/);
      return true;
    });
  });

  it('accepts the API format, also wrapped in {"prompt": …}', () => {
    const workflow = { '1': { class_type: 'SaveImage', inputs: {} } };
    assert.deepEqual(toApiWorkflow(workflow, 'a'), workflow);
    assert.deepEqual(toApiWorkflow({ prompt: workflow }, 'a'), workflow);
    assert.throws(() => toApiWorkflow({ '1': { inputs: {} } }, 'a'), WorkflowError);
    assert.throws(() => toApiWorkflow([], 'a'), WorkflowError);
  });
});

describe('detectSlots', () => {
  it('finds every slot of the shipped templates by following the graph', () => {
    assert.deepEqual(where(detectSlots(template('txt2img'))), {
      seed: '3.seed',
      steps: '3.steps',
      cfg: '3.cfg',
      sampler: '3.sampler_name',
      scheduler: '3.scheduler',
      positive: '6.text',
      negative: '7.text',
      width: '5.width',
      height: '5.height',
      batchSize: '5.batch_size',
      checkpoint: '4.ckpt_name',
      filenamePrefix: '9.filename_prefix',
    });
    const lora = where(detectSlots(template('txt2img-lora')));
    assert.equal(lora['lora'], '10.lora_name');
    assert.equal(lora['loraStrength'], '10.strength_model');
    assert.equal(lora['checkpoint'], '4.ckpt_name');
  });

  it('follows an exported graph: node ids of any order, ControlNet between encoders and sampler, hires second pass', () => {
    const workflow: ApiWorkflow = {
      '20': { class_type: 'KSampler', inputs: { seed: 5, steps: 10, cfg: 5, sampler_name: 'euler', scheduler: 'karras', model: ['11', 0], positive: ['30', 0], negative: ['30', 1], latent_image: ['21', 0], denoise: 0.5 } },
      '21': { class_type: 'LatentUpscaleBy', inputs: { samples: ['12', 0], upscale_method: 'nearest-exact', scale_by: 1.5 } },
      '12': { class_type: 'KSamplerAdvanced', inputs: { noise_seed: 7, steps: 20, cfg: 7, sampler_name: 'dpmpp_2m', scheduler: 'normal', model: ['11', 0], positive: ['30', 0], negative: ['30', 1], latent_image: ['13', 0], add_noise: 'enable', start_at_step: 0, end_at_step: 10000, return_with_leftover_noise: 'disable' } },
      '13': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
      '30': { class_type: 'ControlNetApplyAdvanced', inputs: { positive: ['14', 0], negative: ['15', 0], control_net: ['31', 0], image: ['32', 0], strength: 0.65, start_percent: 0, end_percent: 1 } },
      '14': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['10', 1] } },
      '15': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['10', 1] } },
      '10': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd15.safetensors' } },
      '11': { class_type: 'LoraLoaderModelOnly', inputs: { model: ['10', 0], lora_name: 'cat.safetensors', strength_model: 1 } },
    };
    const slots = where(detectSlots(workflow));
    assert.equal(slots['seed'], '12.noise_seed', 'the base pass starts from the empty latent');
    assert.equal(slots['positive'], '14.text');
    assert.equal(slots['negative'], '15.text');
    assert.equal(slots['width'], '13.width');
    assert.equal(slots['lora'], '11.lora_name');
    assert.equal(slots['checkpoint'], '10.ckpt_name');
    assert.equal(slots['filenamePrefix'], undefined);
  });

  it('lets node titles pin slots the graph cannot reach', () => {
    const workflow: ApiWorkflow = {
      '1': { class_type: 'CustomPromptNode', inputs: { text: 'x' }, _meta: { title: 'Positive Prompt' } },
      '2': { class_type: 'CustomSeed', inputs: { seed: 1 }, _meta: { title: 'seed' } },
      '3': { class_type: 'SaveImage', inputs: { filename_prefix: 'x', images: ['1', 0] } },
    };
    const slots = detectSlots(workflow);
    assert.deepEqual([slots.positive?.node, slots.positive?.foundBy, slots.seed?.node], ['1', 'title', '2']);
  });
});

describe('fillWorkflow', () => {
  it('fills the slots in a copy and leaves the template untouched', () => {
    const original = template('txt2img');
    const filled = fillWorkflow(original, detectSlots(original), { positive: 'spyke', seed: 42, width: 512, height: 768 }, 'txt2img');
    assert.equal(filled['6']!.inputs['text'], 'spyke');
    assert.equal(filled['3']!.inputs['seed'], 42);
    assert.equal(original['6']!.inputs['text'], '');
  });

  it('refuses a value for a slot the template lacks, naming it', () => {
    const original = template('txt2img');
    assert.throws(() => fillWorkflow(original, detectSlots(original), { lora: 'x.safetensors' }, 'txt2img'), /"txt2img" has no a LoRA loader|has no a LoRA loader/);
  });
});

describe('checkAgainstObjectInfo', () => {
  const objectInfo: ObjectInfo = {
    CheckpointLoaderSimple: { input: { required: { ckpt_name: [['sd15.safetensors', 'sub/xl.safetensors'], {}] } } },
    KSampler: { input: { required: { sampler_name: [['euler', 'euler_ancestral']], scheduler: [['normal', 'karras']], seed: ['INT', { min: 0 }] } } },
    UpscaleModelLoader: { input: { required: { model_name: ['COMBO', { options: ['4x.pth'] }] } } },
  };

  it('reads both combo forms', () => {
    assert.deepEqual(comboChoices(objectInfo['UpscaleModelLoader']!, 'model_name'), ['4x.pth']);
    assert.deepEqual(comboChoices(objectInfo['CheckpointLoaderSimple']!, 'ckpt_name'), ['sd15.safetensors', 'sub/xl.safetensors']);
    assert.equal(comboChoices(objectInfo['KSampler']!, 'seed'), undefined);
  });

  it('names a missing model with the folder ComfyUI searches, a missing sampler, and a missing node class', () => {
    const problems = checkAgainstObjectInfo(
      {
        '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'missing.safetensors' } },
        '3': { class_type: 'KSampler', inputs: { sampler_name: 'euler_a', scheduler: 'karras', seed: 1, model: ['4', 0] } },
        '5': { class_type: 'UpscaleModelLoader', inputs: { model_name: '8x.pth' } },
        '6': { class_type: 'FancyNode', inputs: {} },
      },
      objectInfo,
    );
    assert.equal(problems.length, 4);
    for (const expected of [
      /"missing\.safetensors".*models\/checkpoints.*sd15\.safetensors/,
      /"euler_a" is not a sampler_name/,
      /"8x\.pth".*models\/upscale_models/,
      /"FancyNode", which this ComfyUI does not have/,
    ]) {
      assert.ok(problems.some((problem) => expected.test(problem)), `${expected} in ${problems.join(' | ')}`);
    }
  });
});
