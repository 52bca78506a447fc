import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePreview, toPromptEvent } from '../../../../src/core/comfy/comfySocket';
import { isOutOfMemory } from '../../../../src/core/comfy/errors';

describe('toPromptEvent', () => {
  it('maps the frames of a run to job events', () => {
    assert.deepEqual(toPromptEvent('execution_start', { prompt_id: 'p', timestamp: 1 }), { kind: 'started', promptId: 'p' });
    assert.deepEqual(toPromptEvent('executing', { node: '3', display_node: '3', prompt_id: 'p' }), { kind: 'node', promptId: 'p', node: '3' });
    assert.deepEqual(toPromptEvent('progress', { value: 5, max: 20, prompt_id: 'p', node: '3' }), { kind: 'progress', promptId: 'p', node: '3', value: 5, max: 20 });
    assert.deepEqual(toPromptEvent('executed', { node: '9', display_node: '9', output: { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] }, prompt_id: 'p' }), {
      kind: 'output',
      promptId: 'p',
      node: '9',
      images: [{ filename: 'a.png', subfolder: '', type: 'output' }],
    });
    assert.deepEqual(toPromptEvent('executing', { node: null, prompt_id: 'p' }), { kind: 'finished', promptId: 'p' });
    assert.equal(toPromptEvent('execution_error', { prompt_id: 'p', exception_type: 'torch.OutOfMemoryError' })?.kind, 'failed');
    assert.equal(toPromptEvent('status', { status: { exec_info: { queue_remaining: 0 } } }), undefined);
    assert.equal(toPromptEvent('executing', { node: '3' }), undefined, 'a reconnect frame without prompt_id says nothing');
  });
});

describe('parsePreview', () => {
  it('reads type 1 (JPEG) and type 4 (with metadata) frames', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff]);
    const one = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), jpeg]);
    assert.deepEqual(parsePreview(one), { promptId: undefined, image: new Uint8Array(jpeg), mime: 'image/jpeg' });
    const meta = Buffer.from(JSON.stringify({ prompt_id: 'p', image_type: 'image/png' }));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(meta.length);
    const four = Buffer.concat([Buffer.from([0, 0, 0, 4]), length, meta, jpeg]);
    assert.deepEqual(parsePreview(four), { promptId: 'p', image: new Uint8Array(jpeg), mime: 'image/png' });
    assert.equal(parsePreview(Buffer.from([0, 0, 0, 3, 0, 0, 0, 1, 65])), undefined);
  });
});

describe('isOutOfMemory', () => {
  it('knows torch out-of-memory errors by type or by message', () => {
    assert.ok(isOutOfMemory({ exception_type: 'torch.OutOfMemoryError', exception_message: '' }));
    assert.ok(isOutOfMemory({ exception_type: 'RuntimeError', exception_message: 'MPS backend out of memory' }));
    assert.ok(!isOutOfMemory({ exception_type: 'FileNotFoundError', exception_message: 'Model not found' }));
  });
});
