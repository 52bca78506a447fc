import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommandType, NotificationType, RequestType } from '../../../../src/shared/protocol/ipc';
import type { AutoCaptionFinished } from '../../../../src/shared/protocol/captions';
import type { HostClient } from '../../../../webview/shared/hostConnection';
import { AutoCaptionModel, describeFinished } from '../../../../webview/captions/autoCaptionModel';

const finished: AutoCaptionFinished = { captioned: 0, failed: [], cancelled: false, error: null, history: { canUndo: true, canRedo: false } };

/** Answers requests by method; records what was sent. */
function fakeHost(answers: Record<string, unknown>): HostClient & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    request<P, R>(type: RequestType<string, P, R>, params: P): Promise<R> {
      sent.push(`${type.method} ${JSON.stringify(params)}`);
      return Promise.resolve(answers[type.method] as R);
    },
    command<P>(type: CommandType<string, P>): void {
      sent.push(type.method);
    },
    onNotification<P>(_type: NotificationType<string, P>): () => void {
      return () => undefined;
    },
  };
}

function model(answers: Record<string, unknown>): { auto: AutoCaptionModel; host: ReturnType<typeof fakeHost>; statuses: string[] } {
  const host = fakeHost(answers);
  const statuses: string[] = [];
  const auto = new AutoCaptionModel({ host, template: 'Caption {trigger}', defaultTemplate: 'Caption {trigger}', model: null, changed: () => undefined, status: (text) => statuses.push(text) });
  return { auto, host, statuses };
}

test('opening the form offers the vision models and picks the first', async () => {
  const { auto } = model({ 'captions/models/list': { models: [{ name: 'llava:7b', parameterSize: '7B' }, { name: 'qwen2.5vl:7b', parameterSize: null }], error: null } });
  await auto.open();
  assert.equal(auto.formOpen, true);
  assert.equal(auto.model, 'llava:7b');
  assert.equal(auto.modelsError, null);
});

test('no vision model: the reason is shown and nothing can start', async () => {
  const error = 'No vision model in Ollama: run `ollama pull llava:7b` (or qwen2.5vl)';
  const { auto, host } = model({ 'captions/models/list': { models: [], error } });
  await auto.open();
  assert.equal(auto.modelsError, error);
  await auto.start([]);
  assert.ok(!host.sent.some((line) => line.startsWith('captions/autocaption/start')));
});

test('a run starts over the uncaptioned images, streams, and ends with a summary', async () => {
  const { auto, host, statuses } = model({
    'captions/models/list': { models: [{ name: 'llava:7b', parameterSize: null }], error: null },
    'captions/autocaption/start': { total: 2 },
  });
  await auto.open();
  await auto.start([]);
  assert.ok(host.sent.includes('captions/autocaption/start {"model":"llava:7b","template":"Caption {trigger}","scope":"uncaptioned"}'));
  assert.equal(auto.running, true);
  assert.equal(auto.formOpen, false);
  auto.onText('a', 'upper body');
  assert.equal(auto.streaming.get('a'), 'upper body');
  auto.rowsSaved(['a']);
  assert.equal(auto.streaming.has('a'), false);
  auto.cancel();
  assert.ok(host.sent.includes('captions/autocaption/cancel'));
  auto.onFinished({ ...finished, captioned: 1, cancelled: true });
  assert.equal(auto.running, false);
  assert.equal(statuses.at(-1), 'Auto-caption cancelled: 1 caption written; run it again to caption the rest.');
});

test('"Selected images" with nothing selected asks for a selection instead of starting', async () => {
  const { auto, host, statuses } = model({ 'captions/models/list': { models: [{ name: 'llava:7b', parameterSize: null }], error: null } });
  await auto.open();
  auto.set({ scope: 'selected' });
  await auto.start([]);
  assert.match(statuses.at(-1) ?? '', /Select the images to caption first/);
  assert.ok(!host.sent.some((line) => line.startsWith('captions/autocaption/start')));
});

test('the summary says what was written, what failed, and a run-ending error', () => {
  assert.equal(describeFinished({ ...finished, captioned: 3 }), 'Auto-captioned 3 captions.');
  assert.equal(describeFinished({ ...finished, captioned: 2, failed: [{ id: 'b', message: 'Ollama failed while answering: EOF' }] }), 'Auto-captioned 2 captions. 1 image not captioned: b: Ollama failed while answering: EOF.');
  const missing = 'The model llava:13b is not installed in Ollama. Install it with `ollama pull llava:13b`, or choose another model.';
  assert.equal(describeFinished({ ...finished, error: missing }), missing);
});

test('the model and prompt last used in this workspace come back, while Ollama still has the model', async () => {
  const models = { 'captions/models/list': { models: [{ name: 'llava:7b', parameterSize: null }, { name: 'qwen2.5vl:7b', parameterSize: null }], error: null } };
  const host = fakeHost(models);
  const remembered = new AutoCaptionModel({ host, template: 'Tags for {trigger}', defaultTemplate: 'Caption {trigger}', model: 'qwen2.5vl:7b', changed: () => undefined, status: () => undefined });
  await remembered.open();
  assert.equal(remembered.model, 'qwen2.5vl:7b');
  assert.equal(remembered.template, 'Tags for {trigger}');
  assert.equal(remembered.templateChanged, true);
  remembered.resetTemplate();
  assert.equal(remembered.template, 'Caption {trigger}');
  assert.equal(remembered.templateChanged, false);

  const gone = new AutoCaptionModel({ host, template: 'Caption {trigger}', defaultTemplate: 'Caption {trigger}', model: 'llava:13b', changed: () => undefined, status: () => undefined });
  await gone.open();
  assert.equal(gone.model, 'llava:7b');
});
