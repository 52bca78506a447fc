import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LossPoint, RunRecord } from '../../../../src/core/training/model';
import {
  appendLog,
  appendLoss,
  checkpointStep,
  createRunFolder,
  latestStateFolder,
  listRuns,
  newRunId,
  newRunRecord,
  readLogTail,
  readLoss,
  readRun,
  runPaths,
  sampleImageOf,
  settleStaleRun,
  stateFolderOf,
  writeRun,
} from '../../../../src/core/training/runFolder';
import { defaultTrainingConfig } from '../../../../src/core/training/trainingConfig';
import { InvalidInputError } from '../../../../src/core/util/errors';

const config = defaultTrainingConfig({ preset: 'sd15-8gb', datasetId: 'spyke', outputName: 'spyke_v1', baseModel: '/m.safetensors' });
// 1 March 2026, 10:15:07 local time.
const now = new Date(2026, 2, 1, 10, 15, 7);

let root: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'studionova-runs-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function newStudio(): Promise<string> {
  return mkdtemp(path.join(root, 'studio-'));
}

describe('runPaths and run ids', () => {
  it('lays out training/<run> with absolute paths', () => {
    const paths = runPaths('/s', 'r1');
    assert.deepEqual(paths, {
      runId: 'r1',
      root: path.join('/s', 'training', 'r1'),
      runJson: path.join('/s', 'training', 'r1', 'run.json'),
      datasetToml: path.join('/s', 'training', 'r1', 'dataset.toml'),
      samplePrompts: path.join('/s', 'training', 'r1', 'sample_prompts.txt'),
      log: path.join('/s', 'training', 'r1', 'train.log'),
      loss: path.join('/s', 'training', 'r1', 'loss.tsv'),
      out: path.join('/s', 'training', 'r1', 'out'),
      samples: path.join('/s', 'training', 'r1', 'out', 'sample'),
      logs: path.join('/s', 'training', 'r1', 'logs'),
      trials: path.join('/s', 'training', 'r1', 'trials'),
    });
  });

  it('refuses a run id that leaves training/', () => {
    for (const id of ['', '..', 'a/b', 'a\\b', '.hidden']) assert.throws(() => runPaths('/s', id), InvalidInputError, id);
  });

  it('names a run after its output and the local time', () => {
    assert.equal(newRunId('spyke_v1', now), 'spyke_v1-20260301-101507');
    assert.equal(newRunId('x', new Date(2026, 11, 31, 23, 5, 9)), 'x-20261231-230509');
  });
});

describe('createRunFolder', () => {
  it('makes a new folder each time, adding -2, -3 in the same second', async () => {
    const studio = await newStudio();
    const made = await Promise.all([1, 2, 3].map(() => createRunFolder(studio, config, now)));
    assert.deepEqual(made.map((m) => m.id).sort(), ['spyke_v1-20260301-101507', 'spyke_v1-20260301-101507-2', 'spyke_v1-20260301-101507-3']);
    assert.deepEqual((await readdir(path.join(studio, 'training'))).sort(), made.map((m) => m.id).sort());
    assert.equal(made[0]!.paths.root, path.join(studio, 'training', made[0]!.id));
  });

  it('never reuses a folder that exists, even one without run.json', async () => {
    const studio = await newStudio();
    await mkdir(path.join(studio, 'training', 'spyke_v1-20260301-101507'), { recursive: true });
    await writeFile(path.join(studio, 'training', 'spyke_v1-20260301-101507', 'mine.txt'), 'keep');
    const { id } = await createRunFolder(studio, config, now);
    assert.equal(id, 'spyke_v1-20260301-101507-2');
    assert.equal(await readFile(path.join(studio, 'training', 'spyke_v1-20260301-101507', 'mine.txt'), 'utf8'), 'keep');
  });

  it('does not make a missing studio folder, nor take an unsafe name', async () => {
    await assert.rejects(createRunFolder(path.join(root, 'no-such-studio'), config, now), { code: 'ENOENT' });
    await assert.rejects(createRunFolder(await newStudio(), { outputName: '../x' }, now), InvalidInputError);
  });
});

describe('run.json', () => {
  it('writes atomically and reads back the same record', async () => {
    const studio = await newStudio();
    const { id } = await createRunFolder(studio, config, now);
    const record = newRunRecord(id, config, now);
    assert.equal(record.status, 'queued');
    assert.equal(record.createdAt, now.toISOString());
    await writeRun(studio, record);
    const running: RunRecord = { ...record, status: 'running', step: 200, checkpoints: [{ file: 'out/spyke_v1-step00000200.safetensors', step: 200, final: false, bytes: 10, loss: 0.1 }] };
    await writeRun(studio, running);
    assert.deepEqual(await readRun(studio, id), { record: running });
    // No temporary file is left beside it.
    assert.deepEqual(await readdir(path.join(studio, 'training', id)), ['run.json']);
  });

  it('is undefined for a folder without run.json, and a problem for a broken one', async () => {
    const studio = await newStudio();
    const { id, paths } = await createRunFolder(studio, config, now);
    assert.equal(await readRun(studio, id), undefined);
    await writeFile(paths.runJson, '{"version": 1,');
    assert.match((await readRun(studio, id))!.problem!, /run\.json is not valid JSON/);
    await writeFile(paths.runJson, JSON.stringify({ ...newRunRecord(id, config, now), status: 'paused' }));
    assert.match((await readRun(studio, id))!.problem!, /is not a training run record: status: /);
    await writeFile(paths.runJson, JSON.stringify({ ...newRunRecord(id, config, now), config: { ...config, batchSize: 'one' } }));
    assert.match((await readRun(studio, id))!.problem!, /config\.batchSize/);
  });

  it('takes the id from the folder, so a copied run stays itself', async () => {
    const studio = await newStudio();
    const { id } = await createRunFolder(studio, config, now);
    await writeFile(runPaths(studio, id).runJson, JSON.stringify(newRunRecord('another-run', config, now)));
    assert.equal((await readRun(studio, id))!.record!.id, id);
  });

  it('lists runs newest first, leaving out folders without a usable run.json', async () => {
    const studio = await newStudio();
    assert.deepEqual(await listRuns(studio), []);
    const times = [new Date(2026, 0, 1), new Date(2026, 0, 3), new Date(2026, 0, 2)];
    for (const time of times) {
      const { id } = await createRunFolder(studio, config, time);
      await writeRun(studio, newRunRecord(id, config, time));
    }
    await createRunFolder(studio, config, new Date(2026, 0, 4));
    const broken = await createRunFolder(studio, config, new Date(2026, 0, 5));
    await writeFile(broken.paths.runJson, 'nope');
    await writeFile(path.join(studio, 'training', 'notes.txt'), 'a file, not a run');
    const runs = await listRuns(studio);
    assert.deepEqual(runs.map((r) => r.id), ['spyke_v1-20260103-000000', 'spyke_v1-20260102-000000', 'spyke_v1-20260101-000000']);
  });
});

describe('settleStaleRun', () => {
  const record = newRunRecord('r', config, now);

  it('fails a run left running with no process, saying what happened and what to do', () => {
    const settled = settleStaleRun({ ...record, status: 'running', step: 400 }, false);
    assert.equal(settled.status, 'failed');
    assert.equal(settled.step, 400);
    assert.match(settled.failure!.message, /stopped without finishing.*Resume/);
  });

  it('cancels a run left queued, and leaves live and finished runs alone', () => {
    assert.equal(settleStaleRun(record, false).status, 'cancelled');
    const running: RunRecord = { ...record, status: 'running' };
    assert.equal(settleStaleRun(running, true), running);
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      const done: RunRecord = { ...record, status };
      assert.equal(settleStaleRun(done, false), done);
    }
  });
});

describe('loss.tsv', () => {
  it('round-trips points, with and without an average, NaN included', async () => {
    const paths = runPaths(await newStudio(), 'r');
    await mkdir(paths.root, { recursive: true });
    assert.deepEqual(await readLoss(paths), []);
    const points: LossPoint[] = [
      { step: 1, loss: 0.131, average: null },
      { step: 2, loss: 0.117, average: 0.124 },
      { step: 3, loss: Number.NaN, average: Number.NaN },
    ];
    await appendLoss(paths, points.slice(0, 2));
    await appendLoss(paths, points.slice(2));
    assert.equal(await readFile(paths.loss, 'utf8'), '1\t0.131\t\n2\t0.117\t0.124\n3\tNaN\tNaN\n');
    assert.deepEqual(await readLoss(paths), points);
  });

  it('skips a torn last line and foreign lines', async () => {
    const paths = runPaths(await newStudio(), 'r');
    await mkdir(paths.root, { recursive: true });
    await writeFile(paths.loss, 'step\tloss\taverage\n1\t0.5\t\n\n2\tx\t\n3\t0.4\t0.45\n4\t0.3');
    assert.deepEqual(await readLoss(paths), [
      { step: 1, loss: 0.5, average: null },
      { step: 3, loss: 0.4, average: 0.45 },
    ]);
  });

  it('reads 100k points quickly', async () => {
    const paths = runPaths(await newStudio(), 'r');
    await mkdir(paths.root, { recursive: true });
    const points = Array.from({ length: 100_000 }, (_, i): LossPoint => ({ step: i + 1, loss: 0.1 + (i % 97) / 1000, average: i % 2 ? 0.12 : null }));
    await appendLoss(paths, points);
    const started = performance.now();
    const read = await readLoss(paths);
    const elapsed = performance.now() - started;
    assert.equal(read.length, 100_000);
    assert.deepEqual(read[99_999], points[99_999]);
    assert.deepEqual(read[12_345], points[12_345]);
    assert.ok(elapsed < 500, `${elapsed} ms`);
  });
});

describe('train.log', () => {
  it('appends lines, one per line whatever they contain', async () => {
    const paths = runPaths(await newStudio(), 'r');
    await mkdir(paths.root, { recursive: true });
    await appendLog(paths, ['epoch 1/4', 'a\rb']);
    await appendLog(paths, []);
    await appendLog(paths, ['model saved.']);
    assert.equal(await readFile(paths.log, 'utf8'), 'epoch 1/4\na b\nmodel saved.\n');
    assert.deepEqual(await readLogTail(paths, 2), ['a b', 'model saved.']);
    assert.deepEqual(await readLogTail(paths, 10), ['epoch 1/4', 'a b', 'model saved.']);
    assert.deepEqual(await readLogTail(paths, 0), []);
  });

  it('has no tail before the trainer wrote anything', async () => {
    assert.deepEqual(await readLogTail(runPaths(await newStudio(), 'r'), 5), []);
  });

  it('reads the tail of a large log from its end, keeping characters split between chunks whole', async () => {
    const paths = runPaths(await newStudio(), 'r');
    await mkdir(paths.root, { recursive: true });
    // 40 000 lines of about 60 bytes: several MB, far more than the tail reads; multi-byte text throughout.
    const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} 学習ステップ数 ████ avr_loss=0.${i}`);
    await appendLog(paths, lines);
    await appendFile(paths.log, 'a last line without a newline');
    const tail = await readLogTail(paths, 3);
    assert.deepEqual(tail, [lines[39_998], lines[39_999], 'a last line without a newline']);
    const long = await readLogTail(paths, 5000);
    assert.equal(long.length, 5000);
    assert.equal(long[0], lines[40_000 - 4999]);
    assert.ok(long.every((line) => !line.includes('\uFFFD')));
  });
});

describe('checkpoint and sample names', () => {
  it('reads step, epoch and final checkpoints of the output name', () => {
    assert.deepEqual(checkpointStep('spyke_v1-step00000200.safetensors', 'spyke_v1'), { step: 200, epoch: null, final: false });
    assert.deepEqual(checkpointStep('spyke_v1-000003.safetensors', 'spyke_v1'), { step: null, epoch: 3, final: false });
    assert.deepEqual(checkpointStep('spyke_v1.safetensors', 'spyke_v1'), { step: null, epoch: null, final: true });
    assert.deepEqual(checkpointStep('C:/studio/training/r/out\\spyke_v1-step00001000.safetensors', 'spyke_v1'), { step: 1000, epoch: null, final: false });
    assert.deepEqual(checkpointStep('/o/spyke.v1-step123456789.safetensors', 'spyke.v1'), { step: 123456789, epoch: null, final: false });
  });

  it('ignores other files, other names and state folders', () => {
    for (const name of ['spyke_v1-step00000200-state', 'other-step00000200.safetensors', 'spyke_v1-step200.safetensors', 'spyke_v1.json', 'spyke_v1-extra.safetensors', 'spykeXv1.safetensors']) {
      assert.equal(checkpointStep(name, name === 'spykeXv1.safetensors' ? 'spyke.v1' : 'spyke_v1'), undefined, name);
    }
  });

  it('reads sample image names', () => {
    assert.deepEqual(sampleImageOf('spyke_v1_000200_01_20260301101533.png', 'spyke_v1'), { step: 200, epoch: null, promptIndex: 1 });
    assert.deepEqual(sampleImageOf('out/sample/spyke_v1_e000002_00_20260301101533_1234.png', 'spyke_v1'), { step: null, epoch: 2, promptIndex: 0 });
    assert.equal(sampleImageOf('other_000200_01_20260301101533.png', 'spyke_v1'), undefined);
  });

  it('names state folders as sd-scripts does', () => {
    assert.equal(stateFolderOf('spyke_v1', 400), 'spyke_v1-step00000400-state');
  });
});

describe('latestStateFolder', () => {
  async function state(out: string, name: string, complete: boolean): Promise<void> {
    await mkdir(path.join(out, name), { recursive: true });
    await writeFile(path.join(out, name, 'train_state.json'), '{"current_epoch": 1, "current_step": 400}');
    if (complete) await writeFile(path.join(out, name, 'random_states_0.pkl'), '');
  }

  it('finds the complete state with the highest step', async () => {
    const out = path.join(await newStudio(), 'out');
    assert.equal(await latestStateFolder(out), null);
    await state(out, stateFolderOf('spyke_v1', 200), true);
    await state(out, stateFolderOf('spyke_v1', 1000), true);
    await state(out, stateFolderOf('spyke_v1', 400), true);
    await state(out, stateFolderOf('spyke_v1', 1200), false);
    await state(out, 'spyke_v1-state', true);
    await writeFile(path.join(out, 'spyke_v1-step00000600.safetensors'), '');
    assert.equal(await latestStateFolder(out), path.join(out, 'spyke_v1-step00001000-state'));
  });

  it('is null when no state is complete', async () => {
    const out = path.join(await newStudio(), 'out');
    await state(out, stateFolderOf('spyke_v1', 200), false);
    assert.equal(await latestStateFolder(out), null);
  });
});
