// The trainer driven for real: the sd-scripts double run by python3 (or through the accelerate
// double), its output parsed live, its files recorded, and its end judged as the runner judges it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hardwarePresets } from '../../src/core/settings/hardware';
import type { Settings } from '../../src/core/settings/settings';
import type { LossPoint, TrainingConfig, TrainingProgress } from '../../src/core/training/model';
import { readLoss, readRun, runPaths } from '../../src/core/training/runFolder';
import { defaultTrainingConfig } from '../../src/core/training/trainingConfig';
import { TrainingBusyError, TrainingRunner } from '../../src/core/training/trainingRunner';
import { AppError } from '../../src/core/util/errors';
import { prepareFakeSdScripts, type FakeSdScripts, writeCaptionedImages } from '../support/fakeSdScripts';
import { recordingLogger, tempFolder } from '../support/tempStudio';

const hardware = { limits: hardwarePresets['apple-m1-16gb'].limits, label: 'Apple M1, 16 GB' };
let fake: FakeSdScripts;
let studio: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  fake = await prepareFakeSdScripts();
  studio = await tempFolder();
  await writeFile(path.join(studio.dir, 'studio.json'), JSON.stringify({ name: 'Test', defaults: {} }));
  const dataset = path.join(studio.dir, 'datasets', 'nova');
  await mkdir(dataset, { recursive: true });
  await writeFile(path.join(dataset, 'dataset.json'), JSON.stringify({ character: 'nova', trigger: 'nova_v1', kind: 'character', repeats: 1, resolution: 512 }));
  await writeCaptionedImages(dataset, 4, { size: 512, caption: (i) => `nova_v1, full body, standing, city ${i}` });
});

after(async () => {
  await fake.cleanup();
  await studio.cleanup();
});

function sdScripts(launcher: 'python' | 'accelerate' = 'python'): Settings['sdScripts'] {
  return { folder: fake.folder, launcher, python: fake.python, accelerate: fake.accelerate };
}

function config(changes: Partial<TrainingConfig> = {}): TrainingConfig {
  const base = defaultTrainingConfig({ preset: 'sd15-8gb', datasetId: 'nova', outputName: 'nova', baseModel: fake.baseModel, trigger: 'nova_v1' });
  return { ...base, maxTrainSteps: 6, saveEveryNSteps: 2, sampleEveryNSteps: 2, ...changes };
}

const runner = (): TrainingRunner => new TrainingRunner({ logger: recordingLogger(), pollMs: 100 });

/** Processes whose command line names the run folder: the trainer and, under accelerate, its launcher. */
function processesOf(folder: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', folder], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('TrainingRunner against the sd-scripts double', () => {
  it('runs a training to the end: live progress and loss, each checkpoint once written, samples, and a completed run.json', async () => {
    await fake.setBehaviour({ step_ms: 120 });
    const trainer = runner();
    const job = await trainer.start({ studioRoot: studio.dir, config: config(), sdScripts: sdScripts(), hardware });
    const progress: TrainingProgress[] = [];
    const loss: LossPoint[] = [];
    job.onDidChangeProgress((p) => progress.push(p));
    job.onLoss((points) => loss.push(...points));
    const final = await job.finished;

    assert.equal(final.status, 'completed', final.failure?.message);
    assert.deepEqual(
      final.checkpoints.map((c) => [c.file, c.step, c.final]),
      [
        ['out/nova-step00000002.safetensors', 2, false],
        ['out/nova-step00000004.safetensors', 4, false],
        ['out/nova-step00000006.safetensors', 6, false],
        ['out/nova.safetensors', 6, true],
      ],
    );
    assert.ok(final.checkpoints.every((c) => c.bytes > 0 && c.loss !== null), 'each checkpoint with its size and the loss at that step');
    assert.deepEqual([...new Set(progress.map((p) => p.step))].slice(-3), [4, 5, 6]);
    assert.equal(progress.at(-1)?.total, 6);
    // Per-step loss from TensorBoard: one point per step, in order, with its moving average.
    assert.deepEqual(loss.map((p) => p.step), [1, 2, 3, 4, 5, 6]);
    assert.ok(loss.every((p) => Number.isFinite(p.loss) && p.average !== null));
    assert.ok(final.samples.length >= 3 && final.samples.every((s) => s.file.startsWith('out/sample/') && s.step !== null), JSON.stringify(final.samples));

    const paths = runPaths(studio.dir, job.runId);
    const onDisk = await readRun(studio.dir, job.runId);
    assert.deepEqual(onDisk?.record, final, 'run.json holds the final record');
    assert.deepEqual((await readLoss(paths)).map((p) => p.step), [1, 2, 3, 4, 5, 6]);
    const log = await readFile(paths.log, 'utf8');
    assert.match(log, /model saved\./);
    // Only the bar's closing line (tqdm ends it with a newline) reaches the log, not every redraw.
    assert.ok((log.match(/steps:\s+\d+%/g) ?? []).length <= 1, 'bar redraws are not written to the log');
    assert.match(final.command?.args.join(' ') ?? '', /--dataset_config .*dataset\.toml/);
    assert.equal(trainer.active, undefined);
  });

  it('out of memory at step 3: failed, the cause named, the log kept; resuming goes on from the saved state in a new run', async () => {
    await fake.setBehaviour({ step_ms: 120, oom_at_step: 3 });
    const trainer = runner();
    const job = await trainer.start({ studioRoot: studio.dir, config: config(), sdScripts: sdScripts('accelerate'), hardware });
    const failed = await job.finished;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failure?.cause, 'out-of-memory');
    assert.match(failed.failure?.message ?? '', /batch size|gradient checkpointing/);
    assert.match(failed.failure?.message ?? '', /out of memory/i);
    assert.deepEqual(failed.checkpoints.map((c) => c.step), [2]);
    assert.ok(failed.resumeFrom?.startsWith('out/nova-step00000002-state'), `resume state: ${failed.resumeFrom}`);
    assert.match(await readFile(runPaths(studio.dir, job.runId).log, 'utf8'), /OutOfMemoryError/);

    await fake.setBehaviour({ step_ms: 60 });
    const resumed = await trainer.resume(studio.dir, job.runId, sdScripts());
    assert.notEqual(resumed.runId, job.runId);
    const final = await resumed.finished;
    assert.equal(final.status, 'completed', final.failure?.message);
    assert.equal(final.resumes, job.runId);
    assert.ok(final.command?.args.includes('--resume'));
    assert.match(await readFile(runPaths(studio.dir, resumed.runId).log, 'utf8'), /resume training from local state/);
  });

  it('cancel kills the whole tree (accelerate and the trainer it started); a second training meanwhile is refused, naming the first', async () => {
    await fake.setBehaviour({ step_ms: 400 });
    const trainer = runner();
    const job = await trainer.start({ studioRoot: studio.dir, config: config({ maxTrainSteps: 50 }), sdScripts: sdScripts('accelerate'), hardware });
    await new Promise<void>((resolve) => job.onDidChangeProgress((p) => p.step >= 1 && resolve()));
    const folder = runPaths(studio.dir, job.runId).root;
    assert.ok(processesOf(folder).length >= 2, 'the launcher and the trainer both run');

    await assert.rejects(trainer.start({ studioRoot: studio.dir, config: config(), sdScripts: sdScripts(), hardware }), (error: unknown) => {
      assert.ok(error instanceof TrainingBusyError);
      assert.match(error.userMessage, new RegExp(job.runId));
      return true;
    });

    await job.cancel();
    const final = await job.finished;
    assert.equal(final.status, 'cancelled');
    assert.deepEqual(processesOf(folder), [], 'nothing of the tree is left');
  });

  it('exit code 0 without the final file is a failure, not a success', async () => {
    await fake.setBehaviour({ step_ms: 20, exit_zero_without_saving: true });
    const job = await runner().start({ studioRoot: studio.dir, config: config(), sdScripts: sdScripts(), hardware });
    const final = await job.finished;
    assert.equal(final.status, 'failed');
    assert.equal(final.failure?.cause, 'no-final-file');
  });

  it('refuses before launching: a dataset with errors, a base model that is not a file, a batch over the profile', async () => {
    await fake.setBehaviour({});
    const broken = path.join(studio.dir, 'datasets', 'broken');
    await mkdir(broken, { recursive: true });
    await writeCaptionedImages(broken, 2, { size: 512, caption: (i) => (i === 1 ? 'nova_v1, portrait' : null) });
    await writeFile(path.join(broken, 'dataset.json'), JSON.stringify({ character: 'nova', trigger: 'nova_v1', kind: 'character' }));
    const refusals: Array<[Partial<TrainingConfig>, RegExp]> = [
      [{ datasetId: 'broken' }, /dataset broken has 1 error/],
      [{ baseModel: path.join(fake.folder, 'missing.safetensors') }, /is not a file/],
      [{ batchSize: 4 }, /batchSize/],
    ];
    const runs = async (): Promise<number> => (await readdir(path.join(studio.dir, 'training')).catch(() => [])).length;
    const runsBefore = await runs();
    for (const [changes, message] of refusals) {
      await assert.rejects(runner().start({ studioRoot: studio.dir, config: config(changes), sdScripts: sdScripts(), hardware }), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.match(error.userMessage, message);
        return true;
      });
    }
    assert.equal(await runs(), runsBefore, 'no run folder was made for a refused training');
    await rm(broken, { recursive: true });
  });
});
