import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capabilitiesFromShow } from '../../../../src/core/ollama/modelCapabilities';

describe('capabilitiesFromShow', () => {
  it('takes the capabilities Ollama lists', () => {
    assert.deepEqual(capabilitiesFromShow({ capabilities: ['completion', 'vision'] }), ['completion', 'vision']);
    assert.deepEqual(capabilitiesFromShow({ capabilities: ['completion', 'tools'], details: { families: ['llama'] } }), ['completion', 'tools']);
  });

  it('adds vision for a llava-style model on servers before v0.6.8 (clip family or projector)', () => {
    assert.deepEqual(capabilitiesFromShow({ capabilities: ['completion'], details: { families: ['llama', 'clip'] } }), ['completion', 'vision']);
    assert.deepEqual(capabilitiesFromShow({ projector_info: { 'general.architecture': 'clip' } }), ['completion', 'vision']);
  });

  it('adds vision for a model with vision keys in model_info when capabilities are missing (before v0.6.4)', () => {
    assert.deepEqual(capabilitiesFromShow({ model_info: { 'qwen25vl.vision.block_count': 32 } }), ['completion', 'vision']);
  });

  it('treats null families and an empty projector as no image encoder', () => {
    assert.deepEqual(capabilitiesFromShow({ details: { families: null }, projector_info: {} }), ['completion']);
  });
});
