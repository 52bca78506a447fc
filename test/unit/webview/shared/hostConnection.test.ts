import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as z from 'zod/mini';
import { type Envelope, defineCommand, defineNotification, defineRequest } from '../../../../src/shared/protocol/ipc';
import { HostConnection, RequestError } from '../../../../webview/shared/hostConnection';

const list = defineRequest('gallery/images/list', z.object({ offset: z.int() }), z.object({ items: z.array(z.string()) }));
const want = defineCommand('gallery/thumbs/want', z.object({ paths: z.array(z.string()) }));
const changed = defineNotification('gallery/images/changed', z.object({ generation: z.int() }));

function connect(timeoutMs?: number): { connection: HostConnection; posted: Envelope[]; warnings: string[] } {
  const posted: Envelope[] = [];
  const warnings: string[] = [];
  const connection = new HostConnection((message) => posted.push(message), (message) => warnings.push(message), timeoutMs);
  return { connection, posted, warnings };
}

test('requests carry an id and resolve with the validated result of their reply', async () => {
  const { connection, posted } = connect();
  const first = connection.request(list, { offset: 0 });
  const second = connection.request(list, { offset: 120 });
  assert.deepEqual(posted[0], { v: 1, kind: 'req', id: 1, method: 'gallery/images/list', params: { offset: 0 } });
  assert.equal(posted[1]?.id, 2);
  // Replies may come out of order.
  connection.receive({ v: 1, kind: 'res', id: 2, method: 'gallery/images/list', ok: true, result: { items: ['b'] } });
  connection.receive({ v: 1, kind: 'res', id: 1, method: 'gallery/images/list', ok: true, result: { items: ['a'] } });
  assert.deepEqual(await first, { items: ['a'] });
  assert.deepEqual(await second, { items: ['b'] });
});

test('a refusal or a result that breaks the contract rejects with a RequestError', async () => {
  const { connection, warnings } = connect();
  const refused = connection.request(list, { offset: 0 });
  connection.receive({ v: 1, kind: 'res', id: 1, method: 'gallery/images/list', ok: false, error: { code: 'bad_request', message: 'no such filter' } });
  await assert.rejects(refused, (error: unknown) => error instanceof RequestError && error.code === 'bad_request' && error.message === 'no such filter');
  const malformed = connection.request(list, { offset: 0 });
  connection.receive({ v: 1, kind: 'res', id: 2, method: 'gallery/images/list', ok: true, result: { items: [3] } });
  await assert.rejects(malformed, (error: unknown) => error instanceof RequestError && error.code === 'bad_result');
  assert.equal(warnings.length, 1);
});

test('an unanswered request times out instead of waiting forever', async () => {
  const { connection } = connect(10);
  await assert.rejects(connection.request(list, { offset: 0 }), (error: unknown) => error instanceof RequestError && error.code === 'timeout');
});

test('commands are posted as they are', () => {
  const { connection, posted } = connect();
  connection.command(want, { paths: ['a.png'] });
  assert.deepEqual(posted, [{ v: 1, kind: 'cmd', method: 'gallery/thumbs/want', params: { paths: ['a.png'] } }]);
});

test('notifications reach their handlers only when valid; bad messages are reported, never thrown', () => {
  const { connection, warnings } = connect();
  const seen: number[] = [];
  const stop = connection.onNotification(changed, ({ generation }) => seen.push(generation));
  connection.onNotification(changed, () => {
    throw new Error('handler bug');
  });
  connection.receive({ v: 1, kind: 'ntf', method: 'gallery/images/changed', params: { generation: 4 } });
  for (const message of [
    null,
    'ready',
    { v: 2, kind: 'ntf', method: 'gallery/images/changed', params: { generation: 5 } },
    { v: 1, kind: 'ntf', method: 'gallery/images/changed', params: { generation: 'five' } },
    { v: 1, kind: 'ntf', method: 'gallery/unknown', params: {} },
    { v: 1, kind: 'res', id: 77, method: 'gallery/images/list', ok: true, result: {} },
    { v: 1, kind: 'req', id: 1, method: 'gallery/images/list', params: {} },
  ]) {
    assert.doesNotThrow(() => connection.receive(message));
  }
  stop();
  connection.receive({ v: 1, kind: 'ntf', method: 'gallery/images/changed', params: { generation: 6 } });
  assert.deepEqual(seen, [4]);
  assert.equal(warnings.filter((warning) => warning.includes('handler failed')).length, 2);
  assert.equal(warnings.length, 2 + 7);
});

test('dispose fails what is still pending', async () => {
  const { connection } = connect();
  const pending = connection.request(list, { offset: 0 });
  connection.dispose();
  await assert.rejects(pending, (error: unknown) => error instanceof RequestError && error.code === 'disposed');
});
