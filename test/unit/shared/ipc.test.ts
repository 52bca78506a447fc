import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod/mini';
import { defineRequest, parseMessage, readyCommand } from '../../../src/shared/protocol/ipc';

describe('parseMessage', () => {
  const listImages = defineRequest('gallery/images/list', z.object({ offset: z.int() }), z.array(z.string()));

  it('accepts a well-formed message of the expected method', () => {
    assert.deepEqual(parseMessage(listImages, { v: 1, kind: 'req', id: 3, method: 'gallery/images/list', params: { offset: 20 } }), { ok: true, params: { offset: 20 } });
    assert.deepEqual(parseMessage(readyCommand, { v: 1, kind: 'cmd', method: 'webview/ready' }), { ok: true, params: {} });
  });

  it('refuses other versions, other methods, other kinds and bad params, without throwing', () => {
    for (const message of [
      null,
      'ready',
      { v: 2, kind: 'req', method: 'gallery/images/list', params: { offset: 1 } },
      { v: 1, kind: 'cmd', method: 'gallery/images/list', params: { offset: 1 } },
      { v: 1, kind: 'req', method: 'gallery/images/delete', params: { offset: 1 } },
      { v: 1, kind: 'req', method: 'gallery/images/list', params: { offset: '../../etc' } },
    ]) {
      assert.equal(parseMessage(listImages, message).ok, false, JSON.stringify(message));
    }
  });
});
