import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autoCaption, type AutoCaptionImage, type VisionCaptioner } from '../../../../src/core/captions/autoCaption';
import { defaultCaptionTemplate } from '../../../../src/core/ollama/captionPrompt';
import { OllamaModelNotFoundError, OllamaStreamError } from '../../../../src/core/ollama/errors';
import type { DescribeImageRequest, ImageDescription } from '../../../../src/core/ollama/ollamaClient';
import { CancelledError } from '../../../../src/core/util/errors';

const noStats: ImageDescription['stats'] = {
  doneReason: 'stop',
  totalDurationNs: undefined,
  loadDurationNs: undefined,
  promptEvalCount: undefined,
  promptEvalDurationNs: undefined,
  evalCount: undefined,
  evalDurationNs: undefined,
};

const images: AutoCaptionImage[] = [
  { id: 'a', file: '/d/a.png', existing: '' },
  { id: 'b', file: '/d/b.png', existing: 'spyke, old tag' },
  { id: 'c', file: '/d/c.png', existing: '' },
];

/** Answers each image with its file name in pieces; `fail` decides per image. */
function fakeClient(fail: (file: string) => Error | undefined = () => undefined): VisionCaptioner & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    prompts,
    async describeImage(request: DescribeImageRequest, signal?: AbortSignal): Promise<ImageDescription> {
      prompts.push(request.prompt);
      const file = Buffer.from(request.image).toString('utf8');
      const error = fail(file);
      if (error) throw error;
      const pieces = ['Framing: upper body', ', standing', `, ${file.replace(/^.*\//, '')} background.`];
      for (const piece of pieces) {
        if (signal?.aborted) throw new CancelledError();
        request.onText?.(piece);
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { text: pieces.join(''), stats: noStats };
    },
  };
}

const base = { model: 'llava:7b', template: defaultCaptionTemplate, trigger: 'spyke', class: 'woman', readImage: async (file: string) => Buffer.from(file) };

describe('autoCaption', () => {
  it('captions the images in order, streams the text and cleans each caption', async () => {
    const client = fakeClient();
    const events: string[] = [];
    const streamed = new Map<string, string>();
    const report = await autoCaption({
      ...base,
      client,
      images,
      onStart: (id) => events.push(`start ${id}`),
      onText: (id, text) => streamed.set(id, text),
      onDone: (id, caption) => void events.push(`done ${id}: ${caption}`),
    });
    assert.deepEqual(report, { captioned: ['a', 'b', 'c'], failed: [], cancelled: false });
    assert.deepEqual(events, [
      'start a',
      'done a: spyke, upper body, standing, a.png background',
      'start b',
      'done b: spyke, upper body, standing, b.png background',
      'start c',
      'done c: spyke, upper body, standing, c.png background',
    ]);
    assert.equal(streamed.get('a'), 'Framing: upper body, standing, a.png background.');
    // `{existing}` only where there is one.
    assert.ok(!client.prompts[0]!.includes('current caption'));
    assert.ok(client.prompts[1]!.includes('spyke, old tag'));
    assert.ok(client.prompts[0]!.includes('spyke, a woman'));
  });

  it('reports a failed image and goes on with the others', async () => {
    const client = fakeClient((file) => (file.endsWith('b.png') ? new OllamaStreamError('error-line', 'unexpected EOF') : undefined));
    const report = await autoCaption({ ...base, client, images });
    assert.deepEqual(report.captioned, ['a', 'c']);
    assert.equal(report.failed.length, 1);
    assert.equal(report.failed[0]!.id, 'b');
    assert.match(report.failed[0]!.message, /unexpected EOF/);
  });

  it('counts an image whose save failed as failed', async () => {
    const report = await autoCaption({
      ...base,
      client: fakeClient(),
      images,
      onDone: (id) => (id === 'a' ? Promise.reject(new Error('disk full')) : undefined),
    });
    assert.deepEqual(report.captioned, ['b', 'c']);
    assert.deepEqual(report.failed, [{ id: 'a', message: 'disk full' }]);
  });

  it('stops the whole run when the model is missing, with the pull command', async () => {
    const client = fakeClient(() => new OllamaModelNotFoundError('llava:7b'));
    const started: string[] = [];
    await assert.rejects(autoCaption({ ...base, client, images, onStart: (id) => started.push(id) }), (error: unknown) => {
      assert.ok(error instanceof OllamaModelNotFoundError);
      assert.match(error.message, /ollama pull llava:7b/);
      return true;
    });
    assert.deepEqual(started, ['a']);
  });

  it('stops promptly when cancelled, and hands over no partial caption', async () => {
    const controller = new AbortController();
    const done: string[] = [];
    const report = await autoCaption({
      ...base,
      client: fakeClient(),
      images,
      signal: controller.signal,
      onText: (id, text) => {
        if (id === 'b' && text.includes('standing')) controller.abort();
      },
      onDone: (id) => void done.push(id),
    });
    assert.deepEqual(report, { captioned: ['a'], failed: [], cancelled: true });
    assert.deepEqual(done, ['a']);
  });

  it('refuses a template with an unknown variable before asking anything', async () => {
    const client = fakeClient();
    await assert.rejects(autoCaption({ ...base, template: 'Caption {trigger} as a {clas}', client, images }), /\{clas\}, which is not a variable/);
    assert.equal(client.prompts.length, 0);
  });

  it('runs several at a time when asked, each image once', async () => {
    const client = fakeClient();
    const report = await autoCaption({ ...base, client, images, concurrency: 2 });
    assert.deepEqual([...report.captioned].sort(), ['a', 'b', 'c']);
    assert.equal(client.prompts.length, 3);
  });
});
