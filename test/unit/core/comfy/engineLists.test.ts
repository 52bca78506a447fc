import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { engineListsFrom } from '../../../../src/core/comfy/engineLists';
import type { ObjectInfo } from '../../../../src/core/comfy/protocol';
import { promptContext } from '../../../../src/core/prompts/promptContext';
import { m1Profile } from '../../../support/sampleCharacter';

const recorded = (node: string): ObjectInfo => JSON.parse(readFileSync(`test/fixtures/comfyui/recorded/object_info/${node}.json`, 'utf8')) as ObjectInfo;

describe('engineListsFrom', () => {
  it("reads samplers and schedulers from the real KSampler, and models from the loaders' combos", () => {
    const info: ObjectInfo = { ...recorded('KSampler'), ...recorded('CheckpointLoaderSimple'), ...recorded('LoraLoader') };
    // The recording was made without models; give the loaders files as a ComfyUI with models lists them.
    info['CheckpointLoaderSimple']!.input.required!['ckpt_name'] = [['sd15.safetensors'], {}];
    info['LoraLoader']!.input.required!['lora_name'] = ['COMBO', { options: ['spyke_plasma_v1.safetensors'] }];
    const lists = engineListsFrom(info, new Date('2026-01-02T03:04:05Z'));
    assert.ok(lists.samplers.includes('euler_ancestral'));
    assert.ok(lists.schedulers.includes('karras'));
    assert.deepEqual(lists.checkpoints, ['sd15.safetensors']);
    assert.deepEqual(lists.loras, ['spyke_plasma_v1.safetensors']);
    assert.equal(lists.at, '2026-01-02T03:04:05.000Z');
  });

  it('gives empty lists for nodes this ComfyUI lacks', () => {
    const lists = engineListsFrom({});
    assert.deepEqual([lists.samplers, lists.schedulers, lists.checkpoints, lists.loras], [[], [], [], []]);
  });
});

describe('promptContext', () => {
  it('leaves the engine lists unknown when ComfyUI never answered, so nothing is checked against them', () => {
    const context = promptContext({ characters: ['spyke'], hardware: m1Profile, lists: undefined, templates: ['txt2img'] });
    assert.deepEqual([...context.characters], ['spyke']);
    assert.equal(context.samplers, undefined);
    assert.deepEqual(context.templates, ['txt2img']);
  });
});
