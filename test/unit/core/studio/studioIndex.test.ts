import assert from 'node:assert/strict';
import { appendFile, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { OutputTarget } from '../../../../src/core/generation/request';
import { manifestFile } from '../../../../src/core/studio/layout';
import { StudioIndex } from '../../../../src/core/studio/studioIndex';
import { manifestLine } from '../../../support/manifestEntry';
import { recordingLogger, wasmPath, withSampleStudio } from '../../../support/tempStudio';

const open = (root: string, logger = recordingLogger()): Promise<StudioIndex> => StudioIndex.open({ root, wasmPath, logger, saveDelayMs: 0 });

const panelOf = (panel: number): OutputTarget => ({ kind: 'page', chapter: 1, page: 1, panel });

/** Empty files are enough: the index never reads an image. */
async function writeImages(root: string, ...images: string[]): Promise<void> {
  for (const image of images) {
    await mkdir(path.dirname(path.join(root, image)), { recursive: true });
    await writeFile(path.join(root, image), '');
  }
}

describe('StudioIndex', () => {
  it('indexes the sample studio: its character, dataset, LoRA and chapter', async () => {
    await withSampleStudio(async (root) => {
      const index = await open(root);
      assert.deepEqual(index.characters.list().map((c) => [c.id, c.name, c.trigger, c.consentAt !== undefined]), [['spyke', 'Spyke', 'spyke_plasma_v1', true]]);
      assert.deepEqual(index.chapters.list().map((c) => [c.id, c.number, c.title]), [['ch-01', 1, 'Neon Run']]);
      assert.deepEqual(index.pages.forChapter('ch-01').map((p) => [p.number, p.panelCount]), [[1, 2]]);
      assert.deepEqual(index.datasets.list().map((d) => [d.id, d.imageCount, d.captionedCount]), [['spyke', 3, 2]]);
      assert.deepEqual(index.loras.list().map((l) => [l.name, l.source]), [['spyke_plasma_v1', 'declared']]);
      assert.deepEqual(index.problems.list(), []);
      assert.equal(index.studioConfig?.name, 'Spyke: Neon Run');
      await index.close();
    });
  });

  it('follows added, edited and deleted files, re-reading only what changed', async () => {
    await withSampleStudio(async (root) => {
      const index = await open(root);
      await mkdir(path.join(root, 'characters/nova'));
      await writeFile(path.join(root, 'characters/nova/character.md'), '---\nname: Nova\ntrigger: nova_v1\nclass: woman\n---\n');
      let result = await index.refresh();
      assert.equal(result.reparsed, 1);
      assert.deepEqual(index.characters.list().map((c) => c.name), ['Nova', 'Spyke']);

      await writeFile(path.join(root, 'characters/nova/character.md'), '---\nname: Nova Prime\ntrigger: nova_v1\n---\n');
      await utimes(path.join(root, 'characters/nova/character.md'), new Date(), new Date(Date.now() + 5000));
      result = await index.refresh();
      assert.equal(result.reparsed, 1);
      assert.equal(index.characters.get('nova')?.name, 'Nova Prime');

      await rm(path.join(root, 'characters/nova'), { recursive: true });
      await index.refresh();
      assert.deepEqual(index.characters.list().map((c) => c.id), ['spyke']);

      assert.equal((await index.refresh()).changed, false);
      await index.close();
    });
  });

  it("lists each page's panels, and every copy of each version made for a panel, also after a reopen", async () => {
    await withSampleStudio(async (root) => {
      // Seeds go up to 2^48: more than 32 bits must survive the round trip through the index file.
      const bigSeed = 2 ** 40 + 7;
      await writeImages(root, 'output/ch-01/raw/ch01_p001_v1.png', 'output/ch-01/raw/ch01_p001_v2.png', 'output/ch-01/raw/ch01_p001_v3.png', 'output/ch-01/approved/ch01_p001_v3.png');
      await writeFile(
        path.join(root, manifestFile),
        manifestLine('output/ch-01/raw/ch01_p001_v1.png', panelOf(2), 1) + manifestLine('output/ch-01/raw/ch01_p001_v2.png', panelOf(1), 2) + manifestLine('output/ch-01/raw/ch01_p001_v3.png', panelOf(2), bigSeed),
      );
      const expectPanels = (index: StudioIndex): void => {
        assert.deepEqual(index.pages.get('chapters/ch-01/p001.page.md')?.panels, [
          { index: 1, title: 'Panel 1', line: 9 },
          { index: 2, title: 'Panel 2', line: 14 },
        ]);
        assert.deepEqual(index.assets.forPanel('ch-01', 1, 2).map((a) => [a.path, a.version, a.panel, a.seed]), [
          ['output/ch-01/raw/ch01_p001_v1.png', 1, 2, 1],
          ['output/ch-01/approved/ch01_p001_v3.png', 3, 2, bigSeed],
          ['output/ch-01/raw/ch01_p001_v3.png', 3, 2, bigSeed],
        ]);
        assert.deepEqual(index.assets.forPanel('ch-01', 1, 1).map((a) => a.path), ['output/ch-01/raw/ch01_p001_v2.png']);
      };
      const first = await open(root);
      expectPanels(first);
      await first.close();
      const second = await open(root);
      assert.equal(second.recovery, 'none');
      assert.equal((await second.refresh()).changed, false);
      expectPanels(second);
      await second.close();
    });
  });

  it('re-reads the generation log as lines are added, rewriting the images only when a panel or seed changed', async () => {
    await withSampleStudio(async (root) => {
      await writeImages(root, 'output/ch-01/raw/ch01_p001_v1.png', 'output/ch-01/raw/ch01_p001_v2.png');
      await writeFile(path.join(root, manifestFile), manifestLine('output/ch-01/raw/ch01_p001_v1.png', panelOf(1), 7));
      const index = await open(root);
      let rewrites = 0;
      const replaceAll = index.assets.replaceAll.bind(index.assets);
      index.assets.replaceAll = (assets) => {
        rewrites++;
        replaceAll(assets);
      };

      await appendFile(path.join(root, manifestFile), '{"image": "output/ch-01/raw/ch01_p001_v2.png", "seed": 8, "tar\n');
      let result = await index.refresh();
      assert.deepEqual([result.changed, result.reparsed, rewrites], [true, 1, 0]);
      assert.deepEqual(index.problems.list(), []);

      await appendFile(path.join(root, manifestFile), manifestLine('output/spyke/raw/spyke_v1.png', { kind: 'free', subject: 'spyke' }, 9));
      result = await index.refresh();
      assert.deepEqual([result.changed, result.reparsed, rewrites], [true, 1, 0]);
      assert.equal(index.assets.forPage('ch-01', 1)[1]?.panel, undefined);

      await appendFile(path.join(root, manifestFile), manifestLine('output/ch-01/raw/ch01_p001_v2.png', panelOf(2), 10));
      result = await index.refresh();
      assert.deepEqual([result.changed, result.reparsed, rewrites], [true, 1, 1]);
      assert.deepEqual(index.assets.forPage('ch-01', 1).map((a) => [a.version, a.panel, a.seed]), [[1, 1, 7], [2, 2, 10]]);
      await index.close();
    });
  });

  it('loads the rest of the studio when one file is malformed, with the problem on its line', async () => {
    await withSampleStudio(async (root) => {
      await mkdir(path.join(root, 'characters/broken'));
      await writeFile(path.join(root, 'characters/broken/character.md'), '---\nname: Broken\ntrigger: [x\n---\n');
      const index = await open(root);
      assert.deepEqual(index.characters.list().map((c) => c.id).sort(), ['broken', 'spyke']);
      const problems = index.problems.under('characters/broken');
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.severity, 'error');
      assert.ok(problems[0]!.range.startLine >= 1 && problems[0]!.range.startLine <= 3);
      assert.equal(index.chapters.count(), 1);
      await index.close();
    });
  });

  it('reopens from its own file without parsing again, and keeps job history across refreshes', async () => {
    await withSampleStudio(async (root) => {
      const first = await open(root);
      first.jobs.insert({ id: 'j1', kind: 'generate', status: 'completed', createdAt: 't', updatedAt: 't', params: { seed: 1 }, error: undefined });
      await first.close();
      const second = await open(root);
      assert.equal(second.recovery, 'none');
      assert.deepEqual(second.jobs.get('j1')?.params, { seed: 1 });
      assert.equal((await second.rebuild()).reparsed, 6);
      assert.equal(second.jobs.count(), 1);
      await second.close();
    });
  });

  it('keeps the parse of an edited file across a reopen, so the next change reads only that change', async () => {
    await withSampleStudio(async (root) => {
      const first = await open(root);
      await writeFile(path.join(root, 'characters/spyke/character.md'), '---\nname: Spyke Again\ntrigger: spyke_plasma_v1\n---\n');
      assert.equal((await first.refresh()).reparsed, 1);
      await first.close();

      const second = await open(root);
      await mkdir(path.join(root, 'characters/nova'));
      await writeFile(path.join(root, 'characters/nova/character.md'), '---\nname: Nova\ntrigger: nova_v1\n---\n');
      assert.equal((await second.refresh()).reparsed, 1);
      assert.deepEqual(second.characters.list().map((c) => c.name), ['Nova', 'Spyke Again']);
      await second.close();
    });
  });

  it('rebuilds from the files when the index file is corrupt, and says so in the log', async () => {
    await withSampleStudio(async (root) => {
      await (await open(root)).close();
      await writeFile(path.join(root, '.studio/index.sqlite'), 'this is not a database');
      const logger = recordingLogger();
      const index = await open(root, logger);
      assert.equal(index.recovery, 'corrupt');
      assert.equal(index.characters.count(), 1);
      assert.ok(logger.lines.some((l) => l.startsWith('warn:') && l.includes('corrupt')));
      await index.close();
    });
  });

  it('folds refreshes asked for while one runs into a single follow-up', async () => {
    await withSampleStudio(async (root) => {
      const index = await open(root);
      let refreshes = 0;
      index.onDidRefresh(() => refreshes++);
      await writeFile(path.join(root, 'characters/spyke/notes.md'), 'untracked');
      await writeFile(path.join(root, 'chapters/ch-01/p002.page.md'), '## Panel 1\n');
      const results = await Promise.all([index.refresh(), index.refresh(), index.refresh(), index.refresh()]);
      assert.equal(results[1], results[3]);
      assert.ok(refreshes <= 2, `refreshed ${refreshes} times`);
      assert.equal(index.pages.count(), 2);
      await index.close();
    });
  });

  it('writes nothing under the studio when persistence is off', async () => {
    await withSampleStudio(async (root) => {
      const index = await StudioIndex.open({ root, wasmPath, logger: recordingLogger(), persist: false });
      assert.equal(index.characters.count(), 1);
      await index.close();
      await assert.rejects(() => import('node:fs/promises').then((fs) => fs.stat(path.join(root, '.studio'))));
    });
  });
});
