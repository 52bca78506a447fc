// The Ollama client against the Ollama test double (test/fakes/ollama) over real HTTP: model
// listing, streamed captions, the errors a user meets (model missing, Ollama down, failure
// mid-answer) and cancellation, which must close the connection so Ollama stops generating.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cleanCaption, defaultCaptionTemplate, fillCaptionTemplate } from '../../src/core/ollama/captionPrompt';
import { OllamaModelNotFoundError, OllamaNotVisionModelError, OllamaStreamError, OllamaUnavailableError } from '../../src/core/ollama/errors';
import { type ChatRequest, OllamaClient } from '../../src/core/ollama/ollamaClient';
import { findFreePort } from '../../src/core/process/freePort';
import { isCancellation } from '../../src/core/util/errors';
import { type FakeOllama, startFakeOllama } from '../support/fakeOllama';

/** Two different "images": the double hashes the bytes, it does not decode them. */
const redImage = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077', 'hex');
const blueImage = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000aa55', 'hex');
const prompt = fillCaptionTemplate(defaultCaptionTemplate, { trigger: 'spyke', class: 'woman', existing: '' }).text;

const captionRequest = (image: Uint8Array, model = 'llava:7b'): ChatRequest => ({ model, messages: [{ role: 'user', content: prompt, images: [image] }] });

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The same request with stream:false, straight over HTTP: Ollama's single-object reply. */
async function unstreamed(url: string, image: Uint8Array, model = 'llava:7b'): Promise<string> {
  const response = await fetch(`${url}/api/chat`, {
    method: 'POST',
    body: JSON.stringify({ model, stream: false, think: false, messages: [{ role: 'user', content: prompt, images: [Buffer.from(image).toString('base64')] }] }),
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const reply = (await response.json()) as { message: { content: string }; done: boolean; done_reason: string; eval_count: number };
  assert.equal(reply.done, true);
  assert.equal(reply.done_reason, 'stop');
  return reply.message.content;
}

describe('Ollama client against the Ollama double', () => {
  let ollama: FakeOllama;
  let client: OllamaClient;

  before(async () => {
    ollama = await startFakeOllama({ args: ['--delay-ms', '2'] });
    client = ollama.client();
  });
  after(async () => {
    await ollama?.stop();
  });

  it('answers like Ollama on / and /api/version', async () => {
    const root = await fetch(`${ollama.url}/`);
    assert.equal(await root.text(), 'Ollama is running');
    assert.equal(await client.version(), '0.32.15');
  });

  it('lists the vision models and leaves the text-only model out', async () => {
    const all = (await client.listModels()).map((m) => m.name);
    assert.deepEqual(all, ['llava:7b', 'qwen2.5vl:7b', 'llama3.2:3b']);
    const vision = await client.listVisionModels();
    assert.deepEqual(vision.map((m) => m.name), ['llava:7b', 'qwen2.5vl:7b']);
    assert.ok(vision.every((m) => m.capabilities.includes('vision') && /^[0-9a-f]{64}$/.test(m.digest)));
  });

  it('streams a caption in several pieces that add up to the unstreamed answer', async () => {
    const chunks = await collect(client.chatStream(captionRequest(redImage)));
    assert.ok(chunks.length > 3, `several pieces, got ${JSON.stringify(chunks)}`);
    const streamed = chunks.join('');
    assert.equal(streamed, await unstreamed(ollama.url, redImage));
    assert.equal((await client.describeImage({ model: 'llava:7b', image: redImage, prompt })).text, streamed);
  });

  it('gives the same caption for the same image and another for another image', async () => {
    const red = (await client.describeImage({ model: 'llava:7b', image: redImage, prompt })).text;
    const again = (await client.describeImage({ model: 'llava:7b', image: redImage, prompt })).text;
    const blue = (await client.describeImage({ model: 'llava:7b', image: blueImage, prompt })).text;
    assert.equal(again, red);
    assert.notEqual(blue, red);
    const caption = cleanCaption(blue, 'spyke');
    assert.match(caption, /^spyke, [^,\n]+, [^,\n]+, [^\n]+$/);
    assert.doesNotMatch(caption, /\.$/);
  });

  it('returns the final numbers of the answer', async () => {
    const description = await client.describeImage({ model: 'qwen2.5vl:7b', image: redImage, prompt });
    assert.equal(description.stats.doneReason, 'stop');
    assert.ok((description.stats.evalCount ?? 0) > 3);
    assert.ok((description.stats.promptEvalCount ?? 0) > 576, 'the image counts in the prompt tokens');
    assert.ok((description.stats.totalDurationNs ?? 0) > 0);
  });

  it('refuses to caption with a text-only model, which would answer without seeing the image', async () => {
    await assert.rejects(client.describeImage({ model: 'llama3.2:3b', image: redImage, prompt }), OllamaNotVisionModelError);
    // What Ollama itself does with it: a 200 answer that ignores the image.
    assert.equal(await unstreamed(ollama.url, redImage, 'llama3.2:3b'), await unstreamed(ollama.url, blueImage, 'llama3.2:3b'));
  });

  it('says which `ollama pull` to run for a model that is not installed', async () => {
    for (const attempt of [
      () => collect(client.chatStream(captionRequest(redImage, 'moondream'))),
      () => client.describeImage({ model: 'llava:13b', image: redImage, prompt }),
    ]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof OllamaModelNotFoundError, String(error));
        assert.match(error.userMessage, /`ollama pull (moondream|llava:13b)`/);
        return true;
      });
    }
  });

  it('stops the stream promptly when cancelled, and Ollama sees the connection close', async () => {
    const slow = await startFakeOllama({ args: ['--delay-ms', '150'] });
    try {
      const controller = new AbortController();
      const chunks: string[] = [];
      const started = Date.now();
      let abortedAt = 0;
      await assert.rejects(
        (async () => {
          for await (const chunk of slow.client().chatStream(captionRequest(redImage), controller.signal)) {
            chunks.push(chunk);
            if (chunks.length === 2) {
              abortedAt = Date.now();
              controller.abort();
            }
          }
        })(),
        (error: unknown) => isCancellation(error),
      );
      assert.equal(chunks.length, 2);
      assert.ok(Date.now() - abortedAt < 500, `ended ${Date.now() - abortedAt} ms after the abort`);
      const note = await slow.waitForLog(/\[fake\] POST "\/api\/chat": the client closed the connection after \d+ of \d+ tokens/);
      const [, sent, planned] = /after (\d+) of (\d+)/.exec(note) ?? [];
      assert.ok(Number(sent) < Number(planned), note);
      assert.match(slow.stderr(), /aborting completion request due to client closing the connection/);
      assert.ok(Date.now() - started < 5000);
      // The double is still there for the next request.
      assert.ok((await slow.client().listVisionModels()).length > 0);
    } finally {
      await slow.stop();
    }
  });

  it('closes the connection when the caller stops reading (break)', async () => {
    const slow = await startFakeOllama({ args: ['--delay-ms', '150'] });
    try {
      for await (const chunk of slow.client().chatStream(captionRequest(redImage))) {
        assert.ok(chunk);
        break;
      }
      await slow.waitForLog(/\[fake\] POST "\/api\/chat": the client closed the connection/);
    } finally {
      await slow.stop();
    }
  });

  it("surfaces an error in the middle of the stream with Ollama's text, and a stream that breaks off", async () => {
    const faulty = await startFakeOllama({ args: ['--fault', 'mid-stream-error@1', '--fault', 'cut-stream@2', '--fault', 'drop-connection@3'] });
    try {
      const faultyClient = faulty.client();
      const failureOf = async (): Promise<{ chunks: string[]; error: unknown }> => {
        const chunks: string[] = [];
        try {
          for await (const chunk of faultyClient.chatStream(captionRequest(redImage))) chunks.push(chunk);
        } catch (error) {
          return { chunks, error };
        }
        assert.fail('the stream should have failed');
      };
      const midStream = await failureOf();
      assert.ok(midStream.chunks.length > 0, 'text came before the error');
      assert.ok(midStream.error instanceof OllamaStreamError && midStream.error.failure === 'error-line');
      assert.match(midStream.error.userMessage, /Ollama failed while answering: an error was encountered while running the model: unexpected EOF/);
      const cut = await failureOf();
      assert.ok(cut.error instanceof OllamaStreamError && cut.error.failure === 'ended-early', String(cut.error));
      const dropped = await failureOf();
      assert.ok(dropped.error instanceof OllamaStreamError && dropped.error.failure === 'connection-lost', String(dropped.error));
    } finally {
      await faulty.stop();
    }
  });

  it('finds vision models on a server whose /api/show has no capabilities (before v0.6.4)', async () => {
    const old = await startFakeOllama({ args: ['--omit-capabilities'] });
    try {
      assert.deepEqual((await old.client().listVisionModels()).map((m) => m.name), ['llava:7b', 'qwen2.5vl:7b']);
    } finally {
      await old.stop();
    }
  });
});

describe('Ollama client with no Ollama running', () => {
  it('says to start Ollama or set studionova.ollama.url', async () => {
    const client = new OllamaClient(`http://127.0.0.1:${await findFreePort()}`);
    for (const attempt of [() => client.listVisionModels(), () => collect(client.chatStream(captionRequest(redImage)))]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof OllamaUnavailableError, String(error));
        assert.match(error.userMessage, /Start Ollama \(`ollama serve`\) or set studionova\.ollama\.url/);
        assert.match(error.message, /ECONNREFUSED/);
        return true;
      });
    }
  });

  it('says the same once a running Ollama has stopped', async () => {
    const ollama = await startFakeOllama();
    const client = ollama.client();
    assert.equal(await client.version(), '0.32.15');
    await ollama.stop();
    await assert.rejects(client.version(), OllamaUnavailableError);
  });
});
