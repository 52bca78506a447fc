// `studionova train` from a terminal: the built command line as a child process, launching the
// sd-scripts double as it would launch the real trainer, in a studio of its own.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunRecord } from '../../src/core/training/model';
import { prepareFakeSdScripts, type FakeSdScripts, writeCaptionedImages } from '../support/fakeSdScripts';
import { runCli } from '../support/runCli';
import { tempFolder } from '../support/tempStudio';

const steps = 6;
/** Fast, but not below the 100 ms at which tqdm's bar stops redrawing between steps. */
const stepMs = 120;

let fake: FakeSdScripts;
let studio: { dir: string; cleanup: () => Promise<void> };
let dataset: string;

before(async () => {
  fake = await prepareFakeSdScripts();
  studio = await tempFolder();
  dataset = await makeStudio(studio.dir);
});

after(async () => {
  await fake.cleanup();
  await studio.cleanup();
});

/**
 * A studio with a character `nova` whose LoRA name differs from its trigger word, and its
 * captioned dataset of four 512 px images; returns the dataset folder.
 */
async function makeStudio(root: string): Promise<string> {
  await writeFile(path.join(root, 'studio.json'), JSON.stringify({ name: 'Test', defaults: {} }));
  await mkdir(path.join(root, 'characters', 'nova'), { recursive: true });
  await writeFile(path.join(root, 'characters', 'nova', 'character.md'), '---\nname: Nova\ntrigger: nova_v1\nclass: robot\nlora: nova_style_v2.safetensors\n---\n# Nova\n');
  const folder = path.join(root, 'datasets', 'nova');
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'dataset.json'), JSON.stringify({ character: 'nova', trigger: 'nova_v1', kind: 'character', repeats: 1, resolution: 512 }));
  await writeCaptionedImages(folder, 4, { size: 512, caption: (i) => `nova_v1, full body, standing, city ${i}` });
  return folder;
}

function train(...flags: string[]): ReturnType<typeof runCli> {
  return runCli('train', '--sd-scripts', fake.folder, '--python', fake.python, '--steps', String(steps), ...flags);
}

/** The single JSON line on stdout: the run's final record. */
function printedRecord(stdout: string): RunRecord {
  const lines = stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, stdout);
  return JSON.parse(lines[0]!) as RunRecord;
}

async function runJson(root: string, runId: string): Promise<RunRecord> {
  return JSON.parse(await readFile(path.join(root, 'training', runId, 'run.json'), 'utf8')) as RunRecord;
}

/** `step <n>/<total>[, loss <x.xxxx>][, <y.yy> it/s][, <whole seconds or minutes> left]`, as the command prints progress. */
const progressLine = /^step \d+\/\d+(?:, loss (?:\d+\.\d{4}|NaN))?(?:, \d+\.\d{2} it\/s)?(?:, \d+ (?:seconds?|minutes?) left)?$/;

describe('studionova train', () => {
  it('trains to the end: progress and checkpoints on stderr, the completed record on stdout and in run.json, the LoRA saved, exit 0', async () => {
    await fake.setBehaviour({ step_ms: stepMs });
    const { code, stdout, stderr } = await train('--dataset', dataset, '--base-model', fake.baseModel);
    assert.equal(code, 0, stderr);

    const record = printedRecord(stdout);
    assert.equal(record.status, 'completed', record.failure?.message);
    assert.equal(record.step, steps);
    // Named by the character's LoRA, prompted with its trigger and class, with the dataset's own
    // repeats, as Train LoRA does.
    assert.equal(record.config.outputName, 'nova_style_v2');
    assert.ok(record.config.samplePrompts.every((prompt) => prompt.startsWith('nova_v1, robot')), record.config.samplePrompts.join(' | '));
    assert.equal(record.config.repeats, 1);
    assert.deepEqual(await runJson(studio.dir, record.id), record);
    assert.deepEqual(await readdir(path.join(studio.dir, 'training')), [record.id]);

    const final = record.checkpoints.find((c) => c.final);
    assert.equal(final?.file, 'out/nova_style_v2.safetensors');
    const saved = await stat(path.join(studio.dir, 'training', record.id, final.file));
    assert.equal(saved.size, final.bytes);
    assert.ok(saved.size > 0);

    const lines = stderr.split('\n').filter(Boolean);
    assert.equal(lines[0], `Training ${record.id} in ${path.relative(process.cwd(), path.join(studio.dir, 'training', record.id))}`);
    const progress = lines.filter((line) => line.startsWith('step '));
    assert.ok(progress.length > 0, stderr);
    for (const line of progress) assert.match(line, progressLine);
    // At most a line a second, never the same twice, and the last step's figures once, at the end, with no time left.
    assert.equal(new Set(progress).size, progress.length, stderr);
    assert.equal(progress.filter((line) => line.startsWith(`step ${steps}/`)).length, 1, stderr);
    assert.match(progress.at(-1)!, new RegExp(`^step ${steps}/${steps}, loss \\d+\\.\\d{4}, \\d+\\.\\d{2} it/s$`));
    for (const checkpoint of record.checkpoints) assert.ok(lines.includes(`checkpoint ${checkpoint.file} (step ${checkpoint.step})`), `${checkpoint.file} in:\n${stderr}`);
    assert.deepEqual(
      lines.filter((line) => !progressLine.test(line) && !line.startsWith('checkpoint ')),
      [lines[0]],
      'nothing else on stderr',
    );
  });

  it('fails when the GPU runs out of memory: the cause on stderr, run.json failed, no LoRA, exit 1', async () => {
    await fake.setBehaviour({ step_ms: stepMs, oom_at_step: 3 });
    // Through accelerate, as most installs launch it: its wrapper's own error must not hide the trainer's.
    const { code, stdout, stderr } = await train('--dataset', dataset, '--base-model', fake.baseModel, '--launcher', 'accelerate', '--accelerate', fake.accelerate);
    assert.equal(code, 1, stderr);

    const record = printedRecord(stdout);
    assert.equal(record.status, 'failed');
    assert.equal(record.failure?.cause, 'out-of-memory');
    assert.deepEqual(await runJson(studio.dir, record.id), record);
    assert.equal(record.checkpoints.some((c) => c.final), false);
    assert.equal(existsSync(path.join(studio.dir, 'training', record.id, 'out', 'nova_style_v2.safetensors')), false);
    assert.ok(record.step < steps, `stopped at step ${record.step}`);

    const last = stderr.trimEnd().split('\n').at(-1)!;
    assert.match(last, /^failed: The GPU ran out of memory\. Lower the batch size/);
    assert.match(last, /CUDA out of memory/);
  });

  it('refuses a missing dataset folder or base model before making a run folder', async () => {
    const { dir, cleanup } = await tempFolder();
    try {
      const nova = await makeStudio(dir);
      await fake.setBehaviour({ step_ms: stepMs });

      const noDataset = await train('--dataset', path.join(dir, 'datasets', 'nope'), '--base-model', fake.baseModel);
      assert.notEqual(noDataset.code, 0);
      assert.match(noDataset.stderr, /^studionova: The dataset folder datasets[\\/]nope does not exist\.\n$/);
      assert.equal(noDataset.stdout, '');

      const model = path.join(dir, 'models', 'missing.safetensors');
      const noModel = await train('--dataset', nova, '--base-model', model);
      assert.notEqual(noModel.code, 0);
      assert.equal(noModel.stderr, `studionova: The base model ${model} is not a file. Choose a .safetensors or .ckpt checkpoint (for SD 1.5, e.g. v1-5-pruned-emaonly.safetensors).\n`);
      assert.equal(noModel.stdout, '');

      const outside = await train('--dataset', path.join(dir, 'elsewhere'), '--base-model', fake.baseModel);
      assert.equal(outside.code, 2);
      assert.match(outside.stderr, /is not a dataset of a studio/);

      assert.equal(existsSync(path.join(dir, 'training')), false, 'no run folder');
    } finally {
      await cleanup();
    }
  });
});
