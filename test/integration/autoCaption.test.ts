// Auto-caption against the Ollama test double over real HTTP, saving through a CaptionStore as
// the caption editor does: images captioned in order with their text streamed, a cancel that
// closes the connection and saves nothing partial, and a missing model that stops the run with
// the `ollama pull` command.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { autoCaption, type AutoCaptionImage } from '../../src/core/captions/autoCaption';
import { CaptionStore } from '../../src/core/captions/captionStore';
import { defaultCaptionTemplate } from '../../src/core/ollama/captionPrompt';
import { OllamaModelNotFoundError, OllamaUnavailableError } from '../../src/core/ollama/errors';
import { OllamaClient } from '../../src/core/ollama/ollamaClient';
import { findFreePort } from '../../src/core/process/freePort';
import { type FakeOllama, startFakeOllama } from '../support/fakeOllama';
import { withTempFolder } from '../support/tempStudio';

const trigger = 'spyke_plasma_v1';
const pngSignature = Buffer.from('89504e470d0a1a0a', 'hex');

/** Three "PNGs": the double hashes the bytes, so different tails give different captions. */
async function dataset(dir: string): Promise<{ store: CaptionStore; images: AutoCaptionImage[] }> {
  for (const [index, stem] of ['a', 'b', 'c'].entries()) {
    await writeFile(path.join(dir, `${stem}.png`), Buffer.concat([pngSignature, Buffer.from(`image ${index}`)]));
  }
  const store = await CaptionStore.load(dir);
  const images = store.list().map((record) => ({ id: record.id, file: path.join(dir, record.image), existing: record.text }));
  return { store, images };
}

const saveTo = (store: CaptionStore) => async (id: string, caption: string): Promise<void> => {
  const report = await store.save(new Map([[id, caption]]));
  if (report.saved.length !== 1) throw new Error(`${id} was not saved`);
};

describe('autoCaption against the Ollama double', () => {
  let ollama: FakeOllama;

  before(async () => {
    ollama = await startFakeOllama({ args: ['--delay-ms', '15'] });
  });
  after(async () => {
    await ollama?.stop();
  });

  it('captions three images in order, streaming each caption, and saves them', async () => {
    await withTempFolder(async (dir) => {
      const { store, images } = await dataset(dir);
      const order: string[] = [];
      const streamed = new Map<string, string[]>();
      const report = await autoCaption({
        client: ollama.client(),
        model: 'llava:7b',
        template: defaultCaptionTemplate,
        trigger,
        class: 'woman',
        images,
        onStart: (id) => order.push(id),
        onText: (id, text) => streamed.set(id, [...(streamed.get(id) ?? []), text]),
        onDone: saveTo(store),
      });
      assert.deepEqual(report, { captioned: ['a', 'b', 'c'], failed: [], cancelled: false });
      assert.deepEqual(order, ['a', 'b', 'c']);
      const captions = new Set<string>();
      for (const stem of ['a', 'b', 'c']) {
        // The text grew piece by piece before the caption was saved.
        const texts = streamed.get(stem) ?? [];
        assert.ok(texts.length > 3, `${stem} streamed in pieces`);
        assert.ok(texts.every((text, i) => i === 0 || text.startsWith(texts[i - 1]!)));
        const saved = await readFile(path.join(dir, `${stem}.txt`), 'utf8');
        assert.ok(saved.startsWith(`${trigger}, `), saved);
        assert.equal(saved.split(',').length > 2, true);
        captions.add(saved);
      }
      assert.equal(captions.size, 3, 'each image got its own caption');
    });
  });

  it('stops mid-run on cancel: the connection is closed and no partial caption is saved', async () => {
    await withTempFolder(async (dir) => {
      const { store, images } = await dataset(dir);
      const controller = new AbortController();
      const started = Date.now();
      const report = await autoCaption({
        client: ollama.client(),
        model: 'llava:7b',
        template: defaultCaptionTemplate,
        trigger,
        class: 'woman',
        images,
        signal: controller.signal,
        onText: (id, text) => {
          if (id === 'b' && text.length > 5) controller.abort();
        },
        onDone: saveTo(store),
      });
      assert.deepEqual(report, { captioned: ['a'], failed: [], cancelled: true });
      assert.ok(Date.now() - started < 5000, 'it stopped promptly');
      await ollama.waitForLog(/\[fake\] POST "\/api\/chat": the client closed the connection after \d+ of \d+ tokens/);
      assert.ok(existsSync(path.join(dir, 'a.txt')));
      assert.equal(existsSync(path.join(dir, 'b.txt')), false, 'no partial caption');
      assert.equal(existsSync(path.join(dir, 'c.txt')), false);
      // Resuming is running again over the images still without a caption.
      const rest = store.list().filter((record) => record.missing).map((record) => record.id);
      assert.deepEqual(rest, ['b', 'c']);
    });
  });

  it('fails the whole run at once when the model is missing, naming the ollama pull command', async () => {
    await withTempFolder(async (dir) => {
      const { store, images } = await dataset(dir);
      const started: string[] = [];
      await assert.rejects(
        autoCaption({ client: ollama.client(), model: 'llava:13b', template: defaultCaptionTemplate, trigger, class: 'woman', images, onStart: (id) => started.push(id), onDone: saveTo(store) }),
        (error: unknown) => {
          assert.ok(error instanceof OllamaModelNotFoundError);
          assert.equal(error.pullCommand, 'ollama pull llava:13b');
          assert.match(error.message, /`ollama pull llava:13b`/);
          return true;
        },
      );
      assert.deepEqual(started, ['a']);
      assert.equal(store.list().filter((record) => !record.missing).length, 0);
    });
  });

  it('fails at once with how to start Ollama when nothing answers', async () => {
    await withTempFolder(async (dir) => {
      const { images } = await dataset(dir);
      const client = new OllamaClient(`http://127.0.0.1:${await findFreePort()}`);
      await assert.rejects(autoCaption({ client, model: 'llava:7b', template: defaultCaptionTemplate, trigger, class: 'woman', images }), (error: unknown) => {
        assert.ok(error instanceof OllamaUnavailableError);
        assert.match(error.message, /ollama serve/);
        return true;
      });
    });
  });
});
