import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { manifestEntryFor, readStudioImageParameters } from '../../../../src/core/metadata/studioImageParameters';
import { manifestEntry, manifestLine } from '../../../support/manifestEntry';
import { withTempFolder } from '../../../support/tempStudio';

const page = (chapter: number, pageNumber: number, panel: number) => ({ kind: 'page' as const, chapter, page: pageNumber, panel });

describe('manifestEntryFor', () => {
  it('matches by chapter, page and version whatever the folder, the last line winning', () => {
    const entries = [
      manifestEntry('output/ch-01/raw/ch01_p001_v1.png', page(1, 1, 1), 1),
      manifestEntry('output/ch-01/raw/ch01_p001_v2.png', page(1, 1, 1), 2),
      manifestEntry('output/ch-01/raw/ch01_p001_v1.png', page(1, 1, 2), 3),
    ];
    assert.equal(manifestEntryFor(entries, 'output/ch-01/raw/ch01_p001_v1.png')?.seed, 3);
    assert.equal(manifestEntryFor(entries, 'output/ch-01/approved/ch01_p001_v2.webp')?.seed, 2, 'an approved copy in another format');
    assert.equal(manifestEntryFor(entries, 'output/ch-01/raw/ch01_p002_v1.png'), undefined);
    assert.equal(manifestEntryFor(entries, 'output/ComfyUI_00001_.png'), undefined);
  });

  it("matches a free generation's image by its path", () => {
    const entries = [manifestEntry('output/spyke/raw/spyke_v1.png', { kind: 'free', subject: 'spyke' }, 8), manifestEntry('output/spyke/raw/spyke_v2.png', { kind: 'free', subject: 'spyke' }, 9)];
    assert.equal(manifestEntryFor(entries, 'output/spyke/raw/spyke_v2.png')?.seed, 9);
    assert.equal(manifestEntryFor(entries, 'output/spyke/approved/spyke_v2.png'), undefined);
  });
});

describe('readStudioImageParameters', () => {
  it("reads the log line and the sidecar beside the image, or the log's sidecar for a copy elsewhere", async () => {
    await withTempFolder(async (root) => {
      const image = 'output/ch-01/raw/ch01_p001_v1.png';
      await mkdir(path.join(root, 'output/ch-01/raw'), { recursive: true });
      await mkdir(path.join(root, 'output/ch-01/approved'), { recursive: true });
      await writeFile(path.join(root, 'output/generation-log.jsonl'), `not a line\n${manifestLine(image, page(1, 1, 2), 77)}`);
      const sidecar = { '3': { class_type: 'KSampler', inputs: { seed: 77, denoise: 0.6, latent_image: ['5', 0] } }, '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 768 } } };
      await writeFile(path.join(root, 'output/ch-01/raw/ch01_p001_v1.workflow.json'), JSON.stringify(sidecar).replace('"width"', '"x": NaN, "width"'));

      const raw = await readStudioImageParameters(root, path.join(root, image));
      assert.deepEqual([raw?.source, raw?.seed, raw?.extra.at(-1)?.value], ['studionova', 77, '0.6']);
      const approved = await readStudioImageParameters(root, path.join(root, 'output/ch-01/approved/ch01_p001_v1.png'));
      assert.deepEqual([approved?.seed, approved?.extra.at(-1)?.key], [77, 'denoise']);
      assert.equal(await readStudioImageParameters(root, path.join(root, 'output/ch-01/raw/ch01_p001_v2.png')), undefined);
    });
  });

  it('is undefined in a studio without a log', async () => {
    await withTempFolder(async (root) => {
      assert.equal(await readStudioImageParameters(root, path.join(root, 'output/ch-01/raw/ch01_p001_v1.png')), undefined);
    });
  });
});
