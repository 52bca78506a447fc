import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CaptionStore } from '../../../../src/core/captions/captionStore';
import { withTempFolder } from '../../../support/tempStudio';

/** A dataset folder: images (content does not matter here) and the caption files given. */
async function dataset(dir: string, images: readonly string[], captions: Record<string, string | Buffer>): Promise<void> {
  for (const image of images) await writeFile(path.join(dir, image), 'not really an image');
  for (const [name, content] of Object.entries(captions)) await writeFile(path.join(dir, name), content);
}

const read = (dir: string, name: string): Promise<string> => readFile(path.join(dir, name), 'utf8');

describe('CaptionStore.load', () => {
  it('pairs each image with its same-stem .txt and marks images without one as missing', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['b.jpg', 'a.png', 'c.webp', 'd.JPEG', 'a.jpg'], { 'a.txt': 'spyke, rain\n', 'c.txt': '\uFEFFspyke, snow', 'orphan.txt': 'x', 'dataset.json': '{}' });
      const store = await CaptionStore.load(dir);
      assert.deepEqual(
        store.list().map(({ id, image, text, missing, notUtf8 }) => ({ id, image, text, missing, notUtf8 })),
        [
          { id: 'a', image: 'a.jpg', text: 'spyke, rain', missing: false, notUtf8: false },
          { id: 'b', image: 'b.jpg', text: '', missing: true, notUtf8: false },
          { id: 'c', image: 'c.webp', text: 'spyke, snow', missing: false, notUtf8: false },
          { id: 'd', image: 'd.JPEG', text: '', missing: true, notUtf8: false },
        ],
      );
      assert.equal(store.get('a')?.file, path.join(dir, 'a.txt'));
      assert.deepEqual([...store.texts()], [['a', 'spyke, rain'], ['b', ''], ['c', 'spyke, snow'], ['d', '']]);
      assert.equal(store.idOfFile(path.join(dir, 'c.txt')), 'c');
      assert.equal(store.idOfFile(path.join(dir, 'orphan.txt')), undefined);
    });
  });
});

describe('CaptionStore.save', () => {
  it('writes captions atomically, keeping each file\'s own ending, and drops a BOM', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png', 'b.png', 'c.png', 'd.png'], { 'a.txt': 'a\n', 'b.txt': 'b', 'c.txt': 'c\r\n', 'd.txt': '\uFEFFd\n' });
      const store = await CaptionStore.load(dir);
      const report = await store.save(new Map([['a', 'spyke, a'], ['b', 'spyke, b'], ['c', 'spyke, c'], ['d', 'spyke, d']]));
      assert.deepEqual(report, { saved: ['a', 'b', 'c', 'd'], conflicts: [], failed: [] });
      assert.equal(await read(dir, 'a.txt'), 'spyke, a\n');
      assert.equal(await read(dir, 'b.txt'), 'spyke, b');
      assert.equal(await read(dir, 'c.txt'), 'spyke, c\r\n');
      assert.equal(await read(dir, 'd.txt'), 'spyke, d\n');
      assert.equal(store.get('a')?.text, 'spyke, a');
      assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.tmp')), []);
    });
  });

  it('creates a missing caption as most of the dataset ends its files, and never an empty one', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png', 'b.png', 'c.png', 'd.png', 'e.png'], { 'a.txt': 'a\n', 'b.txt': 'b\n', 'c.txt': 'c' });
      const store = await CaptionStore.load(dir);
      const report = await store.save(new Map([['d', 'spyke, d'], ['e', '']]));
      assert.deepEqual(report.saved, ['d', 'e']);
      assert.equal(await read(dir, 'd.txt'), 'spyke, d\n');
      assert.deepEqual(store.get('d'), { ...store.get('d')!, text: 'spyke, d', missing: false });
      assert.equal(store.get('e')?.missing, true);
      assert.deepEqual((await readdir(dir)).filter((name) => name === 'e.txt'), []);
      // Emptied again (undoing the caption of an image that had none): the file goes, the image is uncaptioned.
      assert.deepEqual((await store.save(new Map([['d', '']]))).saved, ['d']);
      assert.deepEqual((await readdir(dir)).filter((name) => name === 'd.txt'), []);
      assert.equal(store.get('d')?.missing, true);
    });
  });

  it('refuses to write over a change made outside since the load, and the file keeps the outside text', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png', 'b.png'], { 'a.txt': 'spyke, rain\n', 'b.txt': 'spyke, sun\n' });
      const store = await CaptionStore.load(dir);
      await writeFile(path.join(dir, 'a.txt'), 'spyke, rain, edited in another editor\n');
      const report = await store.save(new Map([['a', 'spyke, rain, night'], ['b', 'spyke, sun, night']]));
      assert.deepEqual(report, {
        saved: ['b'],
        conflicts: [{ id: 'a', mine: 'spyke, rain, night', theirs: 'spyke, rain, edited in another editor' }],
        failed: [],
      });
      assert.equal(await read(dir, 'a.txt'), 'spyke, rain, edited in another editor\n');
      assert.equal(await read(dir, 'b.txt'), 'spyke, sun, night\n');
      // Still refused on a second try: the store has not seen the outside version.
      assert.equal((await store.save(new Map([['a', 'spyke, rain, night']]))).conflicts.length, 1);
    });
  });

  it('refuses after an outside change to a file it saved itself, to a deletion, and to a caption created meanwhile', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png', 'b.png', 'c.png'], { 'a.txt': 'a', 'b.txt': 'b' });
      const store = await CaptionStore.load(dir);
      await store.save(new Map([['a', 'a1']]));
      await writeFile(path.join(dir, 'a.txt'), 'a-outside');
      await rm(path.join(dir, 'b.txt'));
      await writeFile(path.join(dir, 'c.txt'), 'c-outside');
      const report = await store.save(new Map([['a', 'a2'], ['b', 'b2'], ['c', 'c2']]));
      assert.deepEqual(report.conflicts, [
        { id: 'a', mine: 'a2', theirs: 'a-outside' },
        { id: 'b', mine: 'b2', theirs: undefined },
        { id: 'c', mine: 'c2', theirs: 'c-outside' },
      ]);
      assert.equal(await read(dir, 'a.txt'), 'a-outside');
      assert.deepEqual((await readdir(dir)).filter((name) => name === 'b.txt'), []);
      assert.equal(await read(dir, 'c.txt'), 'c-outside');
    });
  });

  it('keeps one\'s own text over a conflict only after taking in the outside version', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png'], { 'a.txt': 'a\n' });
      const store = await CaptionStore.load(dir);
      await writeFile(path.join(dir, 'a.txt'), 'theirs\n');
      assert.equal((await store.save(new Map([['a', 'mine']]))).conflicts.length, 1);
      assert.equal((await store.reload('a')).kind, 'taken');
      assert.deepEqual((await store.save(new Map([['a', 'mine']]))).saved, ['a']);
      assert.equal(await read(dir, 'a.txt'), 'mine\n');
    });
  });

  it('is no conflict when the outside change is the text being saved, or only touched the file', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png', 'b.png'], { 'a.txt': 'a', 'b.txt': 'b' });
      const store = await CaptionStore.load(dir);
      await writeFile(path.join(dir, 'a.txt'), 'same');
      await writeFile(path.join(dir, 'b.txt'), 'b');
      assert.deepEqual(await store.save(new Map([['a', 'same'], ['b', 'b2']])), { saved: ['a', 'b'], conflicts: [], failed: [] });
      assert.equal(await read(dir, 'b.txt'), 'b2');
    });
  });

  it('reports unknown ids and files that are not UTF-8 as failed, and leaves them alone', async () => {
    await withTempFolder(async (dir) => {
      const shiftJis = Buffer.from([0x83, 0x58, 0x83, 0x70, 0x83, 0x43, 0x83, 0x4e]);
      await dataset(dir, ['a.png'], { 'a.txt': shiftJis });
      const store = await CaptionStore.load(dir);
      assert.deepEqual(store.get('a'), { ...store.get('a')!, text: '', missing: false, notUtf8: true });
      const report = await store.save(new Map([['a', 'spyke'], ['nope', 'x']]));
      assert.deepEqual(report.saved, []);
      assert.deepEqual(report.failed.map((failure) => failure.id).sort(), ['a', 'nope']);
      assert.match(report.failed.find((failure) => failure.id === 'a')!.message, /not UTF-8/);
      assert.deepEqual(await readFile(path.join(dir, 'a.txt')), shiftJis);
    });
  });

  it('still sees a rewrite of the same size when the files were old enough to be checked by their stamps', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png', 'b.png'], { 'a.txt': 'spyke, rain\n', 'b.txt': 'spyke, sun\n' });
      // A clock a minute ahead: every file looks written long ago, so its stamp is trusted.
      const store = await CaptionStore.load(dir, { now: () => Date.now() + 60_000 });
      await writeFile(path.join(dir, 'a.txt'), 'spyke, snow\n');
      const report = await store.save(new Map([['a', 'spyke, rain, night'], ['b', 'spyke, sun, night']]));
      assert.deepEqual(report.conflicts, [{ id: 'a', mine: 'spyke, rain, night', theirs: 'spyke, snow' }]);
      assert.deepEqual(report.saved, ['b']);
      assert.equal(await read(dir, 'a.txt'), 'spyke, snow\n');
      // Its own write is checked by content next time (its times are too fresh to trust), and is no conflict.
      assert.deepEqual((await store.save(new Map([['b', 'spyke, sun, night, rain']]))).saved, ['b']);
    });
  });

  it('fails a write into a dataset folder removed meanwhile, and does not bring the folder back', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'spyke');
      await mkdir(folder);
      await dataset(folder, ['a.png'], {});
      const store = await CaptionStore.load(folder);
      await rm(folder, { recursive: true });
      const report = await store.save(new Map([['a', 'spyke']]));
      assert.deepEqual(report.saved, []);
      assert.deepEqual(report.failed.map((failure) => failure.id), ['a']);
      assert.equal(existsSync(folder), false);
    });
  });

  it('runs saves one after the other, so two quick saves of one caption are no conflict', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png'], { 'a.txt': 'a' });
      const store = await CaptionStore.load(dir);
      const [first, second, check] = await Promise.all([store.save(new Map([['a', 'one']])), store.save(new Map([['a', 'two']])), store.reload('a', 'two')]);
      assert.deepEqual([first.conflicts, second.conflicts], [[], []]);
      assert.deepEqual(check, { kind: 'unchanged', id: 'a' });
      assert.equal(await read(dir, 'a.txt'), 'two');
    });
  });
});

describe('CaptionStore.fileChanged and reload', () => {
  it('takes an outside change to a caption without an unsaved edit', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png', 'b.png'], { 'a.txt': 'a\n', 'b.txt': 'b\n' });
      const store = await CaptionStore.load(dir);
      await writeFile(path.join(dir, 'a.txt'), 'a, outside\n');
      // The editor's texts: `a` as loaded (no edit), `b` edited.
      const editor = new Map([['a', 'a'], ['b', 'b, mine']]);
      const check = await store.fileChanged(path.join(dir, 'a.txt'), editor);
      assert.equal(check.kind, 'taken');
      assert.equal(check.kind === 'taken' && check.record.text, 'a, outside');
      assert.equal(store.get('a')?.text, 'a, outside');
      // And a later save of it is no conflict.
      assert.deepEqual((await store.save(new Map([['a', 'a, outside, night']]))).saved, ['a']);
      assert.equal(await read(dir, 'a.txt'), 'a, outside, night\n');
    });
  });

  it('reports a conflict with an unsaved edit, with both texts, and takes nothing', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png'], { 'a.txt': 'a\n' });
      const store = await CaptionStore.load(dir);
      await writeFile(path.join(dir, 'a.txt'), 'a, outside\n');
      const check = await store.fileChanged(path.join(dir, 'a.txt'), new Map([['a', 'a, mine']]));
      assert.deepEqual(check, { kind: 'conflict', id: 'a', mine: 'a, mine', theirs: 'a, outside' });
      assert.equal(store.get('a')?.text, 'a');
      assert.equal((await store.save(new Map([['a', 'a, mine']]))).conflicts.length, 1);
    });
  });

  it('takes a deletion or a new caption file the same way', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png', 'b.png'], { 'a.txt': 'a' });
      const store = await CaptionStore.load(dir);
      await rm(path.join(dir, 'a.txt'));
      await writeFile(path.join(dir, 'b.txt'), 'b, new');
      const deleted = await store.reload('a');
      assert.ok(deleted.kind === 'taken' && deleted.record.missing && deleted.record.text === '');
      const created = await store.reload('b', '');
      assert.ok(created.kind === 'taken' && !created.record.missing && created.record.text === 'b, new');
      await rm(path.join(dir, 'b.txt'));
      assert.deepEqual(await store.reload('b', 'b, new, mine'), { kind: 'conflict', id: 'b', mine: 'b, new, mine', theirs: undefined });
    });
  });

  it('checks a burst of file events together, one answer per file in order', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png', 'b.png', 'c.png'], { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
      const store = await CaptionStore.load(dir);
      await store.save(new Map([['a', 'a, saved'], ['b', 'b, saved']]));
      await writeFile(path.join(dir, 'c.txt'), 'c, outside');
      const files = ['a.txt', 'b.txt', 'c.txt', 'notes.txt'].map((name) => path.join(dir, name));
      const checks = await store.filesChanged(files, new Map());
      assert.deepEqual(checks.map((check) => check.kind), ['unchanged', 'unchanged', 'taken', 'notACaption']);
      assert.equal(store.get('c')?.text, 'c, outside');
    });
  });

  it('ignores the echo of its own save, files that are no captions, and an outside text equal to the edit', async () => {
    await withTempFolder(async (dir) => {
      await dataset(dir, ['a.png'], { 'a.txt': 'a' });
      const store = await CaptionStore.load(dir);
      await store.save(new Map([['a', 'a, saved']]));
      assert.deepEqual(await store.fileChanged(path.join(dir, 'a.txt'), new Map()), { kind: 'unchanged', id: 'a' });
      assert.deepEqual(await store.fileChanged(path.join(dir, 'dataset.json'), new Map()), { kind: 'notACaption' });
      assert.deepEqual(await store.reload('zzz'), { kind: 'notACaption' });
      await writeFile(path.join(dir, 'a.txt'), 'a, same');
      assert.equal((await store.reload('a', 'a, same')).kind, 'taken');
    });
  });
});
