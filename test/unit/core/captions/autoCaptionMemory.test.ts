import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autoCaptionMemoryKey, recallAutoCaption, rememberAutoCaption, type StateStore } from '../../../../src/core/captions/autoCaptionMemory';
import { defaultCaptionTemplate } from '../../../../src/core/ollama/captionPrompt';

function memory(initial: Record<string, unknown> = {}): StateStore & { values: Map<string, unknown> } {
  const values = new Map(Object.entries(initial));
  return {
    values,
    get: (key) => values.get(key),
    update: (key, value) => {
      values.set(key, value);
      return Promise.resolve();
    },
  };
}

test('a workspace that never ran Auto-caption starts from the default prompt and no model', () => {
  assert.deepEqual(recallAutoCaption(memory()), { model: undefined, template: defaultCaptionTemplate });
});

test('the model and prompt of the last run come back', async () => {
  const state = memory();
  await rememberAutoCaption(state, 'qwen2.5vl:7b', 'Tags for {trigger}: {existing}');
  assert.deepEqual(recallAutoCaption(state), { model: 'qwen2.5vl:7b', template: 'Tags for {trigger}: {existing}' });
});

test('the default prompt is not stored, so a better default later reaches the user', async () => {
  const state = memory();
  await rememberAutoCaption(state, 'llava:7b', defaultCaptionTemplate);
  assert.deepEqual(state.values.get(autoCaptionMemoryKey), { model: 'llava:7b' });
  assert.deepEqual(recallAutoCaption(state), { model: 'llava:7b', template: defaultCaptionTemplate });
});

test('whatever else was stored under the key is ignored', () => {
  for (const stored of ['llava:7b', { model: '' }, { model: 3 }, { model: 'llava:7b', template: '' }, null]) {
    assert.deepEqual(recallAutoCaption(memory({ [autoCaptionMemoryKey]: stored })), { model: undefined, template: defaultCaptionTemplate }, JSON.stringify(stored));
  }
});
