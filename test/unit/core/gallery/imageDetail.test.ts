import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { describeImage } from '../../../../src/core/gallery/imageDetail';
import { withPngText } from '../../../../src/core/metadata/pngText';
import { manifestFile } from '../../../../src/core/studio/layout';
import { StudioIndex } from '../../../../src/core/studio/studioIndex';
import { manifestLine } from '../../../support/manifestEntry';
import { recordingLogger, wasmPath, withTempFolder } from '../../../support/tempStudio';

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

describe('describeImage', () => {
  it('describes a page version from the log and offers every action on it; an image from elsewhere from its own metadata', async () => {
    await withTempFolder(async (root) => {
      const files: Record<string, string | Buffer> = {
        'studio.json': '{"name":"S"}',
        'output/ch-01/raw/ch01_p001_v1.png': png,
        'output/ch-01/raw/ch01_p001_v1.workflow.json': '{}',
        [manifestFile]: manifestLine('output/ch-01/raw/ch01_p001_v1.png', { kind: 'page', chapter: 1, page: 1, panel: 2 }, 1234),
        'output/a1111.png': withPngText(png, [{ keyword: 'parameters', text: 'a red fox\nNegative prompt: blurry\nSteps: 28, Sampler: DPM++ 2M, CFG scale: 6.5, Seed: 77, Size: 512x768' }]),
        'output/broken.png': 'not a png at all',
      };
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(root, file)), { recursive: true });
        await writeFile(path.join(root, file), content);
      }
      const index = await StudioIndex.open({ root, wasmPath, logger: recordingLogger(), saveDelayMs: 0 });

      const version = await describeImage(root, index.assets.get('output/ch-01/raw/ch01_p001_v1.png')!);
      assert.equal(version.origin, 'StudioNOVA generation log and workflow sidecar');
      assert.deepEqual(version.actions, ['rerun', 'rerunNewSeed', 'copyPrompt', 'openPrompt', 'approve', 'openImage', 'reveal', 'describe', 'delete']);
      assert.equal(version.promptFile, 'chapters/ch-01/p001.page.md');
      assert.equal(version.panel, 2);
      assert.equal(version.fields.find((f) => f.key === 'seed')?.value, '1234');

      const foreign = await describeImage(root, index.assets.get('output/a1111.png')!);
      assert.equal(foreign.origin, 'Automatic1111 parameters in the PNG');
      assert.equal(foreign.parameters.prompt, 'a red fox');
      assert.deepEqual(foreign.actions, ['copyPrompt', 'openImage', 'reveal', 'describe', 'delete']);
      assert.equal(foreign.fields.find((f) => f.key === 'steps')?.value, '28');

      const broken = await describeImage(root, index.assets.get('output/broken.png')!);
      assert.equal(broken.parameters.source, 'unknown');
      assert.deepEqual(broken.actions, ['openImage', 'reveal', 'describe', 'delete']);
      assert.match(broken.fields.find((f) => f.key === 'unreadable')?.value ?? '', /not an image StudioNOVA can read/);
      await index.close();
    });
  });
});
