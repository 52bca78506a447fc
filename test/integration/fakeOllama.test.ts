// The Ollama test double (test/fakes/ollama) on the wire, checked against the shapes, statuses
// and texts of shared/reference/ollama-api.md, so that the client tests exercise what a real
// Ollama sends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeOllama, startFakeOllama } from '../support/fakeOllama';

type Obj = Record<string, unknown>;

const image = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex').toString('base64');

async function post(url: string, body: string | Obj): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

const lines = (text: string): Obj[] => text.trim().split('\n').map((l) => JSON.parse(l) as Obj);

describe('Ollama double', () => {
  let ollama: FakeOllama;
  before(async () => {
    ollama = await startFakeOllama({
      args: ['--model', 'llava:7b=completion,vision', '--model', 'qwen3:8b=completion,thinking', '--model', 'nomic-embed-text=embedding'],
    });
  });
  after(async () => {
    await ollama?.stop();
  });

  it('streams chat as NDJSON with a final done line carrying the metrics', async () => {
    const reply = await post(`${ollama.url}/api/chat`, { model: 'llava:7b', messages: [{ role: 'user', content: 'Describe', images: [image] }] });
    assert.equal(reply.status, 200);
    assert.equal(reply.type, 'application/x-ndjson');
    const all = lines(reply.text);
    const last = all.at(-1) as Obj;
    assert.ok(all.slice(0, -1).every((l) => l['done'] === false && l['model'] === 'llava:7b' && typeof (l['message'] as Obj)['content'] === 'string'));
    assert.match(String(all[0]?.['created_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    assert.equal(last['done'], true);
    assert.equal(last['done_reason'], 'stop');
    assert.deepEqual(last['message'], { role: 'assistant', content: '' });
    for (const key of ['total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration']) {
      assert.ok(Number.isInteger(last[key]) && (last[key] as number) > 0, key);
    }
    assert.equal(last['eval_count'], all.length - 1);
  });

  it('answers generate with `response` lines and a final `context`, or one object with stream:false', async () => {
    const streamed = lines((await post(`${ollama.url}/api/generate`, { model: 'llava:7b', prompt: 'Describe', images: [image] })).text);
    assert.ok(Array.isArray(streamed.at(-1)?.['context']));
    const text = streamed.map((l) => l['response']).join('');
    const single = await post(`${ollama.url}/api/generate`, { model: 'llava:7b', prompt: 'Describe', images: [image], stream: false });
    assert.equal(single.type, 'application/json; charset=utf-8');
    assert.equal((JSON.parse(single.text) as Obj)['response'], text);
  });

  it('thinks by default on a thinking model, and not with think:false', async () => {
    const thinking = lines((await post(`${ollama.url}/api/chat`, { model: 'qwen3:8b', messages: [{ role: 'user', content: 'hi' }] })).text);
    assert.ok(thinking.some((l) => typeof (l['message'] as Obj)['thinking'] === 'string'));
    const plain = lines((await post(`${ollama.url}/api/chat`, { model: 'qwen3:8b', think: false, messages: [{ role: 'user', content: 'hi' }] })).text);
    assert.ok(plain.every((l) => (l['message'] as Obj)['thinking'] === undefined));
  });

  it('gives the errors of the reference, with their statuses and texts', async () => {
    const cases: [string, string | Obj, number, string][] = [
      ['/api/chat', { model: 'llava', messages: [{ role: 'user', content: 'x' }] }, 404, "model 'llava' not found"],
      ['/api/show', { model: 'llava' }, 404, "model 'llava:latest' not found"],
      ['/api/chat', '', 400, 'missing request body'],
      ['/api/chat', { messages: [] }, 400, 'model is required'],
      ['/api/chat', { model: 'llava:7b', messages: [{ role: 'user', content: 'x', images: [`data:image/png;base64,${image}`] }] }, 400, 'illegal base64 data at input byte 4'],
      ['/api/chat', { model: 'nomic-embed-text', messages: [{ role: 'user', content: 'x' }] }, 400, '"nomic-embed-text" does not support chat'],
      ['/api/generate', { model: 'llava:7b', prompt: 'x', think: true }, 400, '"llava:7b" does not support thinking'],
    ];
    for (const [route, body, status, text] of cases) {
      const reply = await post(`${ollama.url}${route}`, body);
      assert.equal(reply.status, status, `${route} ${JSON.stringify(body)}`);
      assert.equal(reply.type, 'application/json; charset=utf-8');
      assert.deepEqual(JSON.parse(reply.text), { error: text });
    }
    assert.equal((await fetch(`${ollama.url}/api/chat`)).status, 405);
    assert.equal(await (await fetch(`${ollama.url}/api/nothing`)).text(), '404 page not found');
  });

  it('only loads the model for an empty conversation, and unloads it with keep_alive 0', async () => {
    const load = JSON.parse((await post(`${ollama.url}/api/chat`, { model: 'llava:7b', messages: [] })).text) as Obj;
    assert.equal(load['done_reason'], 'load');
    assert.ok(((JSON.parse(await (await fetch(`${ollama.url}/api/ps`)).text()) as { models: Obj[] }).models).some((m) => m['name'] === 'llava:7b'));
    const unload = JSON.parse((await post(`${ollama.url}/api/chat`, { model: 'llava:7b', messages: [], keep_alive: 0 })).text) as Obj;
    assert.equal(unload['done_reason'], 'unload');
  });

  it('answers 503 with the two-space busy text when the fault says so', async () => {
    const busy = await startFakeOllama({ args: ['--fault', 'busy'] });
    try {
      const reply = await post(`${busy.url}/api/chat`, { model: 'llava:7b', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(reply.status, 503);
      assert.deepEqual(JSON.parse(reply.text), { error: 'server busy, please try again.  maximum pending requests exceeded' });
    } finally {
      await busy.stop();
    }
  });

  it('pulls: progress per layer then success, or the manifest error for an unknown model', async () => {
    const missing = lines((await post(`${ollama.url}/api/pull`, { model: 'nothing:1b' })).text);
    assert.deepEqual(missing, [{ status: 'pulling manifest' }, { error: 'pull model manifest: file does not exist' }]);
    const pulled = lines((await post(`${ollama.url}/api/pull`, { model: 'llava:7b' })).text);
    assert.equal(pulled.at(-1)?.['status'], 'success');
    const progress = pulled.filter((l) => String(l['status']).startsWith('pulling ') && l['status'] !== 'pulling manifest');
    assert.ok(progress.every((l) => /^pulling [0-9a-f]{12}$/.test(String(l['status'])) && String(l['digest']).startsWith('sha256:')));
    assert.ok(progress.some((l) => l['completed'] === undefined), 'completed is left out while 0');
  });
});
