import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OllamaModelNotFoundError, OllamaNotVisionModelError, OllamaRequestError, OllamaStreamError, OllamaUnavailableError } from '../../../../src/core/ollama/errors';
import { type ChatStats, OllamaClient, type OllamaFetch } from '../../../../src/core/ollama/ollamaClient';
import { isCancellation } from '../../../../src/core/util/errors';

interface Call {
  readonly url: string;
  readonly method: string;
  readonly body: Record<string, unknown> | undefined;
}

/** A fetch that answers from `answer` and records what it was asked. */
function fakeFetch(answer: (call: Call) => Response): { fetch: OllamaFetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchImpl: OllamaFetch = async (url, init) => {
    const call = { url, method: init.method ?? 'GET', body: typeof init.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined };
    calls.push(call);
    return answer(call);
  };
  return { fetch: fetchImpl, calls };
}

function ndjson(chunks: readonly string[], status = 200): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body, { status, headers: { 'Content-Type': 'application/x-ndjson' } });
}

const json = (data: unknown, status = 200): Response => new Response(JSON.stringify(data), { status, headers: { 'Content-Type': 'application/json; charset=utf-8' } });

const line = (content: string): string => `${JSON.stringify({ model: 'llava:7b', created_at: '2026-03-01T10:00:01.5Z', message: { role: 'assistant', content }, done: false })}\n`;
const doneLine = `${JSON.stringify({ model: 'llava:7b', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', total_duration: 2917000000, eval_count: 3, eval_duration: 690000000 })}\n`;

async function drain(stream: AsyncGenerator<string, ChatStats>): Promise<{ chunks: string[]; stats: ChatStats }> {
  const chunks: string[] = [];
  for (;;) {
    const next = await stream.next();
    if (next.done) return { chunks, stats: next.value };
    chunks.push(next.value);
  }
}

const userMessage = { role: 'user' as const, content: 'Describe', images: [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])] };

describe('OllamaClient.chatStream', () => {
  it('sends a streamed chat with bare base64 images and thinking off, and yields the text pieces', async () => {
    const whole = line('A red') + line(' bicycle') + line('.') + doneLine;
    const split = [whole.slice(0, 5), whole.slice(5, 130), whole.slice(130, 131), whole.slice(131)];
    const { fetch, calls } = fakeFetch(() => ndjson(split));
    const client = new OllamaClient('http://127.0.0.1:11434/', fetch);
    const { chunks, stats } = await drain(client.chatStream({ model: 'llava:7b', messages: [userMessage], options: { temperature: 0.2 } }));
    assert.deepEqual(chunks, ['A red', ' bicycle', '.']);
    assert.equal(stats.doneReason, 'stop');
    assert.equal(stats.evalCount, 3);
    assert.equal(stats.loadDurationNs, undefined, 'absent metrics stay undefined');
    assert.equal(calls[0]?.url, 'http://127.0.0.1:11434/api/chat');
    assert.deepEqual(calls[0]?.body, {
      model: 'llava:7b',
      messages: [{ role: 'user', content: 'Describe', images: ['iVBORwECAw=='] }],
      stream: true,
      think: false,
      options: { temperature: 0.2 },
    });
  });

  it('maps a refused connection to "start Ollama"', async () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:11434'), { code: 'ECONNREFUSED' }) });
    const client = new OllamaClient('http://127.0.0.1:11434', () => Promise.reject(refused));
    await assert.rejects(drain(client.chatStream({ model: 'llava:7b', messages: [userMessage] })), (error: unknown) => {
      assert.ok(error instanceof OllamaUnavailableError);
      assert.match(error.userMessage, /Start Ollama \(`ollama serve`\) or set studionova\.ollama\.url/);
      assert.match(error.message, /ECONNREFUSED/);
      return true;
    });
  });

  it('maps 404 "model not found" (new and old wording) to the pull command for the name as asked', async () => {
    for (const text of ["model 'llava' not found", 'model "llava" not found, try pulling it first']) {
      const client = new OllamaClient('http://x', fakeFetch(() => json({ error: text }, 404)).fetch);
      await assert.rejects(drain(client.chatStream({ model: 'llava', messages: [userMessage] })), (error: unknown) => {
        assert.ok(error instanceof OllamaModelNotFoundError);
        assert.equal(error.pullCommand, 'ollama pull llava');
        assert.match(error.userMessage, /`ollama pull llava`/);
        return true;
      });
    }
  });

  it('does not take a 404 from something else for a missing model', async () => {
    const client = new OllamaClient('http://x', fakeFetch(() => new Response('404 page not found', { status: 404 })).fetch);
    await assert.rejects(drain(client.chatStream({ model: 'llava', messages: [userMessage] })), OllamaRequestError);
  });

  it("reports other statuses with Ollama's text, and 503 as busy", async () => {
    const bad = new OllamaClient('http://x', fakeFetch(() => json({ error: 'illegal base64 data at input byte 4' }, 400)).fetch);
    await assert.rejects(drain(bad.chatStream({ model: 'llava', messages: [userMessage] })), /HTTP 400\): illegal base64 data at input byte 4/);
    const busy = new OllamaClient('http://x', fakeFetch(() => json({ error: 'server busy, please try again.  maximum pending requests exceeded' }, 503)).fetch);
    await assert.rejects(drain(busy.chatStream({ model: 'llava', messages: [userMessage] })), (error: unknown) => error instanceof OllamaRequestError && error.code === 'ollama_busy');
  });

  it("surfaces a mid-stream error line with Ollama's text, after the text before it", async () => {
    const client = new OllamaClient('http://x', fakeFetch(() => ndjson([line('A'), '{"error":"an error was encountered while running the model: unexpected EOF"}\n'])).fetch);
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of client.chatStream({ model: 'llava', messages: [userMessage] })) seen.push(chunk);
      })(),
      (error: unknown) => error instanceof OllamaStreamError && error.failure === 'error-line' && /unexpected EOF/.test(error.userMessage),
    );
    assert.deepEqual(seen, ['A']);
  });

  it('fails when the stream ends without its done line, or sends something that is not JSON', async () => {
    const cut = new OllamaClient('http://x', fakeFetch(() => ndjson([line('A')])).fetch);
    await assert.rejects(drain(cut.chatStream({ model: 'llava', messages: [userMessage] })), (e: unknown) => e instanceof OllamaStreamError && e.failure === 'ended-early');
    const html = new OllamaClient('http://x', fakeFetch(() => ndjson(['<html>\n'])).fetch);
    await assert.rejects(drain(html.chatStream({ model: 'llava', messages: [userMessage] })), (e: unknown) => e instanceof OllamaStreamError && e.failure === 'bad-line');
  });

  it('turns an aborted request into a cancellation', async () => {
    const controller = new AbortController();
    controller.abort();
    const client = new OllamaClient('http://x', (_url, init) => Promise.reject(init.signal?.reason));
    await assert.rejects(drain(client.chatStream({ model: 'llava', messages: [userMessage] }, controller.signal)), (e: unknown) => isCancellation(e));
  });
});

describe('OllamaClient.listVisionModels', () => {
  const tag = (name: string, digest: string): Record<string, unknown> => ({ name, model: name, digest, size: 1, details: { family: 'llama', families: null, parameter_size: '7B' } });

  function server(digests: Record<string, string>, capabilities: Record<string, string[]>): { fetch: OllamaFetch; calls: Call[] } {
    return fakeFetch((call) => {
      if (call.url.endsWith('/api/tags')) return json({ models: Object.entries(digests).map(([name, digest]) => tag(name, digest)) });
      const name = String(call.body?.['model']);
      const caps = capabilities[name];
      return caps ? json({ capabilities: caps, details: {} }) : json({ error: `model '${name}' not found` }, 404);
    });
  }

  it('keeps the models that can see, asks /api/show once per digest, and again when a digest changes', async () => {
    const capabilities = { 'llava:7b': ['completion', 'vision'], 'llama3.2:3b': ['completion'] };
    const digests: Record<string, string> = { 'llava:7b': 'a'.repeat(64), 'llama3.2:3b': 'b'.repeat(64) };
    const { fetch, calls } = server(digests, capabilities);
    const client = new OllamaClient('http://x', fetch);
    const first = await client.listVisionModels();
    assert.deepEqual(first.map((m) => [m.name, m.capabilities]), [['llava:7b', ['completion', 'vision']]]);
    assert.equal(first[0]?.parameterSize, '7B');
    assert.equal(calls.filter((c) => c.url.endsWith('/api/show')).length, 2);
    await client.listVisionModels();
    assert.equal(calls.filter((c) => c.url.endsWith('/api/show')).length, 2, 'cached by digest');
    digests['llava:7b'] = 'c'.repeat(64);
    await client.listVisionModels();
    assert.equal(calls.filter((c) => c.url.endsWith('/api/show')).length, 3, 'a new digest is asked about');
  });

  it('skips a model removed between /api/tags and /api/show', async () => {
    const client = new OllamaClient('http://x', server({ 'gone:1b': 'd'.repeat(64) }, {}).fetch);
    assert.deepEqual(await client.listVisionModels(), []);
  });
});

describe('OllamaClient.describeImage', () => {
  it('refuses a text-only model before sending the image', async () => {
    const { fetch, calls } = fakeFetch((call) => (call.url.endsWith('/api/show') ? json({ capabilities: ['completion'] }) : ndjson([doneLine])));
    const client = new OllamaClient('http://x', fetch);
    await assert.rejects(client.describeImage({ model: 'llama3.2:3b', image: new Uint8Array([1]), prompt: 'Describe' }), OllamaNotVisionModelError);
    assert.equal(calls.filter((c) => c.url.endsWith('/api/chat')).length, 0);
  });

  it('returns the whole text and passes each piece to onText', async () => {
    const { fetch, calls } = fakeFetch((call) => (call.url.endsWith('/api/show') ? json({ capabilities: ['completion', 'vision'] }) : ndjson([line('upper'), line(' body'), doneLine])));
    const client = new OllamaClient('http://x', fetch);
    const pieces: string[] = [];
    const description = await client.describeImage({ model: 'llava:7b', image: new Uint8Array([1]), prompt: 'Describe', system: 'Be brief.', onText: (t) => pieces.push(t) });
    assert.equal(description.text, 'upper body');
    assert.deepEqual(pieces, ['upper', ' body']);
    assert.equal(description.stats.doneReason, 'stop');
    const chat = calls.find((c) => c.url.endsWith('/api/chat'));
    assert.deepEqual((chat?.body?.['messages'] as { role: string }[]).map((m) => m.role), ['system', 'user']);
    await client.describeImage({ model: 'llava:7b', image: new Uint8Array([1]), prompt: 'Describe' });
    assert.equal(calls.filter((c) => c.url.endsWith('/api/show')).length, 1, 'capabilities asked once per model');
  });
});
