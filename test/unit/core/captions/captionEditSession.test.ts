import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CaptionEditSession, type CaptionHistoryState, type CaptionSaveFinished } from '../../../../src/core/captions/captionEditSession';
import type { CaptionConflict, CaptionRecord } from '../../../../src/core/captions/captionStore';
import { CaptionStore } from '../../../../src/core/captions/captionStore';
import { withTempFolder } from '../../../support/tempStudio';

/** A session over a dataset folder of the given captions (`null`: an image without one), and what it reported. */
async function open(dir: string, captions: Record<string, string | Buffer | null>): Promise<{
  session: CaptionEditSession;
  finished: CaptionSaveFinished[];
  outside: CaptionRecord[][];
  conflicts: CaptionConflict[][];
  /** `started N` and `finished N` for each save, in the order reported. */
  saves: string[];
  /** Resolves with the next finished save. */
  nextSave: () => Promise<CaptionSaveFinished>;
}> {
  for (const [id, content] of Object.entries(captions)) {
    await writeFile(path.join(dir, `${id}.png`), 'not really an image');
    if (content !== null) await writeFile(path.join(dir, `${id}.txt`), content);
  }
  const finished: CaptionSaveFinished[] = [];
  const outside: CaptionRecord[][] = [];
  const conflicts: CaptionConflict[][] = [];
  const saves: string[] = [];
  let waiting: ((finished: CaptionSaveFinished) => void) | undefined;
  const session = new CaptionEditSession(await CaptionStore.load(dir), 'spyke', {
    saveStarted: (saving) => void saves.push(`started ${saving.id}`),
    saveFinished: (report) => {
      saves.push(`finished ${report.id}`);
      finished.push(report);
      waiting?.(report);
      waiting = undefined;
    },
    changedOutside: (records: readonly CaptionRecord[], _history: CaptionHistoryState) => void outside.push([...records]),
    conflictsFound: (found) => void conflicts.push([...found]),
  });
  const nextSave = (): Promise<CaptionSaveFinished> => new Promise((resolve) => (waiting = resolve));
  return { session, finished, outside, conflicts, saves, nextSave };
}

const read = (dir: string, id: string): Promise<string> => readFile(path.join(dir, `${id}.txt`), 'utf8');
const replace = (find: string, by: string) => ({ kind: 'replace', find, replace: by, regex: false, caseSensitive: true }) as const;

describe('CaptionEditSession', () => {
  it('answers a change as soon as it is applied, then writes it and makes it an undo step', async () => {
    await withTempFolder(async (dir) => {
      const { session, nextSave } = await open(dir, { a: 'spyke, red hair\n', b: 'spyke, red hair, rain\n', c: 'spyke\n' });
      const saved = nextSave();
      const answer = await session.apply([replace('red hair', 'silver hair')], 'all');
      assert.deepEqual(answer.records.map((record) => [record.id, record.text]), [['a', 'spyke, silver hair'], ['b', 'spyke, silver hair, rain']]);
      assert.deepEqual(answer.saving, { id: 1, count: 2 });
      // Not an undo step before the disk has it; meanwhile the editor is shown the text being written.
      assert.deepEqual(answer.history, { canUndo: false, canRedo: false });
      assert.equal(session.saving?.id, 1);
      assert.equal(session.records().find((record) => record.id === 'a')?.text, 'spyke, silver hair');

      const finished = await saved;
      assert.deepEqual({ ...finished, records: finished.records.length }, { id: 1, saved: 2, conflicts: [], failed: [], records: 0, history: { canUndo: true, canRedo: false } });
      assert.equal(session.saving, undefined);
      assert.equal(await read(dir, 'a'), 'spyke, silver hair\n');
      assert.equal(await read(dir, 'b'), 'spyke, silver hair, rain\n');
    });
  });

  it('starts each change from what the one before it wrote', async () => {
    await withTempFolder(async (dir) => {
      const { session, finished, saves } = await open(dir, { a: 'spyke, red hair\n' });
      const first = session.apply([replace('red', 'silver')], 'all');
      const second = session.apply([replace('silver', 'white')], 'all');
      assert.deepEqual((await second).records.map((record) => record.text), ['spyke, white hair']);
      assert.equal((await first).saving?.id, 1);
      await session.idle();
      assert.deepEqual(finished.map((report) => [report.id, report.saved]), [[1, 1], [2, 1]]);
      // One save at a time: the caption editor holds the studio index's refresh from start to finish.
      assert.deepEqual(saves, ['started 1', 'finished 1', 'started 2', 'finished 2']);
      assert.equal(await read(dir, 'a'), 'spyke, white hair\n');
      // Two steps to undo, each after its write.
      await session.undo();
      await session.idle();
      assert.equal(await read(dir, 'a'), 'spyke, silver hair\n');
    });
  });

  it('reports a caption changed on disk meanwhile as a conflict, writes nothing over it, and leaves it out of the undo step', async () => {
    await withTempFolder(async (dir) => {
      const { session, nextSave } = await open(dir, { a: 'spyke, red hair\n', b: 'spyke, red hair, rain\n' });
      await writeFile(path.join(dir, 'a.txt'), 'spyke, red hair, edited elsewhere\n');
      const saved = nextSave();
      const answer = await session.apply([replace('red hair', 'silver hair')], 'all');
      // The answer cannot know yet: it shows the edit as asked.
      assert.equal(answer.records.length, 2);
      const finished = await saved;
      assert.equal(finished.saved, 1);
      assert.deepEqual(finished.conflicts, [{ id: 'a', mine: 'spyke, silver hair', theirs: 'spyke, red hair, edited elsewhere' }]);
      // The row goes back to the version the editor last saw, until the user settles it.
      assert.deepEqual(finished.records.map((record) => [record.id, record.text]), [['a', 'spyke, red hair']]);
      assert.deepEqual(session.conflictList().map((conflict) => conflict.id), ['a']);
      assert.equal(await read(dir, 'a'), 'spyke, red hair, edited elsewhere\n');

      // Undo takes back only what was written.
      await session.undo();
      await session.idle();
      assert.equal(await read(dir, 'b'), 'spyke, red hair, rain\n');
      assert.equal(await read(dir, 'a'), 'spyke, red hair, edited elsewhere\n');
    });
  });

  it('settles a conflict by keeping mine (written over the disk, now seen) or taking theirs', async () => {
    await withTempFolder(async (dir) => {
      const { session } = await open(dir, { a: 'a\n', b: 'b\n' });
      await writeFile(path.join(dir, 'a.txt'), 'a, theirs\n');
      await writeFile(path.join(dir, 'b.txt'), 'b, theirs\n');
      await session.apply([{ kind: 'addTag', tag: 'mine' }], 'all');
      await session.idle();
      assert.deepEqual(session.conflictList().map((conflict) => conflict.id), ['a', 'b']);

      const kept = await session.resolve('a', 'mine');
      assert.deepEqual(kept.records.map((record) => record.text), ['a, mine']);
      const taken = await session.resolve('b', 'theirs');
      assert.equal(taken.saving, undefined);
      assert.deepEqual(taken.records.map((record) => record.text), ['b, theirs']);
      await session.idle();
      assert.deepEqual(session.conflictList(), []);
      assert.equal(await read(dir, 'a'), 'a, mine\n');
      assert.equal(await read(dir, 'b'), 'b, theirs\n');
    });
  });

  it('refuses a typed text made on a caption that changed on disk since, as a conflict, and writes nothing', async () => {
    await withTempFolder(async (dir) => {
      const { session, finished } = await open(dir, { a: 'spyke, rain\n' });
      // The editor took in an outside change while the user was still typing over the old text.
      await writeFile(path.join(dir, 'a.txt'), 'spyke, rain, edited elsewhere\n');
      await session.filesChanged([path.join(dir, 'a.txt')]);
      const answer = await session.setCaption('a', 'spyke, rain, night', 'spyke, rain');
      assert.equal(answer.saving, undefined);
      assert.deepEqual(answer.conflicts, [{ id: 'a', mine: 'spyke, rain, night', theirs: 'spyke, rain, edited elsewhere' }]);
      assert.deepEqual(answer.records.map((record) => record.text), ['spyke, rain, edited elsewhere']);
      assert.deepEqual(session.conflictList().map((conflict) => conflict.id), ['a']);
      await session.idle();
      assert.deepEqual(finished, []);
      assert.equal(await read(dir, 'a'), 'spyke, rain, edited elsewhere\n');
      // Made on the text the caption has: written.
      await session.resolve('a', 'theirs');
      await session.setCaption('a', 'spyke, rain, edited elsewhere, night', 'spyke, rain, edited elsewhere');
      await session.idle();
      assert.equal(await read(dir, 'a'), 'spyke, rain, edited elsewhere, night\n');
    });
  });

  it('reports a caption that could not be written, and shows the disk\'s version of it again', async () => {
    await withTempFolder(async (dir) => {
      const shiftJis = Buffer.from([0x83, 0x58, 0x83, 0x70]);
      const { session, nextSave } = await open(dir, { a: shiftJis, b: 'b\n' });
      const saved = nextSave();
      await session.apply([{ kind: 'addTag', tag: 'rain' }], 'all');
      const finished = await saved;
      assert.equal(finished.saved, 1);
      assert.deepEqual(finished.failed.map((failure) => failure.id), ['a']);
      assert.match(finished.failed[0]!.message, /not UTF-8/);
      assert.deepEqual(finished.records.map((record) => [record.id, record.text, record.notUtf8]), [['a', '', true]]);
      assert.deepEqual(await readFile(path.join(dir, 'a.txt')), shiftJis);
    });
  });

  it('answers an edit that cannot run with its error, and writes nothing', async () => {
    await withTempFolder(async (dir) => {
      const { session, finished } = await open(dir, { a: 'a\n' });
      const answer = await session.apply([{ kind: 'replace', find: '(', replace: '', regex: true, caseSensitive: false }], 'all');
      assert.equal(answer.saving, undefined);
      assert.match(answer.error ?? '', /regular expression/i);
      await session.idle();
      assert.deepEqual(finished, []);
    });
  });

  it('refuses ids that are not images of the dataset', async () => {
    await withTempFolder(async (dir) => {
      const { session } = await open(dir, { a: 'a\n' });
      await assert.rejects(session.setCaption('../../etc/passwd', 'x'), /not an image of dataset spyke/);
      await assert.rejects(session.apply([{ kind: 'addTag', tag: 'x' }], ['a', 'nope']), /nope is not an image of dataset spyke/);
    });
  });

  it('takes in captions changed outside, reports a conflict with a text not yet saved, and ignores the echo of its own writes', async () => {
    await withTempFolder(async (dir) => {
      const { session, outside, conflicts } = await open(dir, { a: 'a\n', b: 'b\n', c: 'c\n' });
      await writeFile(path.join(dir, 'c.txt'), 'c, theirs\n');
      await session.apply([{ kind: 'addTag', tag: 'mine' }], ['a', 'c']);
      await session.idle();
      assert.deepEqual(session.conflictList().map((conflict) => conflict.id), ['c']);

      await writeFile(path.join(dir, 'b.txt'), 'b, outside\n');
      await writeFile(path.join(dir, 'c.txt'), 'c, theirs again\n');
      await session.filesChanged(['a', 'b', 'c'].map((id) => path.join(dir, `${id}.txt`)));
      assert.deepEqual(outside.map((records) => records.map((record) => [record.id, record.text])), [[['b', 'b, outside']]]);
      assert.deepEqual(conflicts, [[{ id: 'c', mine: 'c, mine', theirs: 'c, theirs again' }]]);
    });
  });

  it('writes an auto-caption at once unless the caption changed since the run read it', async () => {
    await withTempFolder(async (dir) => {
      const { session } = await open(dir, { a: null, b: 'b\n' });
      const written = await session.saveGenerated('a', '', 'spyke, full body');
      assert.ok('record' in written && written.record.text === 'spyke, full body' && !written.record.missing);
      assert.equal(await read(dir, 'a'), 'spyke, full body\n');
      const refused = await session.saveGenerated('b', '', 'spyke, sitting');
      assert.deepEqual(refused, { problem: 'b was captioned meanwhile; that caption was kept.' });
      assert.deepEqual(await session.recordStep(new Map([['a', { before: '', after: 'spyke, full body' }]])), { canUndo: true, canRedo: false });
    });
  });
});
