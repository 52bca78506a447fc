// The comparison grid read back from a run's folder: trials.json and the run record make the
// grid the panel showed, images whose file is gone are missing, and a bad trials.json is
// reported and left as it is.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseSamplePrompt, readStoredTrials, recordTrialImage, type TrialsRecord } from '../../../../src/core/training/checkpointTrials';
import type { RunRecord } from '../../../../src/core/training/model';
import { newRunRecord, runPaths } from '../../../../src/core/training/runFolder';
import { defaultTrainingConfig } from '../../../../src/core/training/trainingConfig';
import { checkpointLoss, samplePromptLine, storedTrialGrid } from '../../../../src/core/training/trialGrid';
import { trainingLimits } from '../../../../src/shared/protocol/training';
import { withTempFolder } from '../../../support/tempStudio';

const runId = 'spyke-20261121-120000';
const config = defaultTrainingConfig({ preset: 'sd15-8gb', datasetId: 'spyke', outputName: 'spyke', baseModel: '/models/v1-5.safetensors' });
const step4 = 'out/spyke-step00000004.safetensors';
const final = 'out/spyke.safetensors';

const record: RunRecord = {
  ...newRunRecord(runId, config, new Date('2026-11-21T12:00:00Z')),
  status: 'completed',
  step: 8,
  checkpoints: [
    { file: step4, step: 4, final: false, bytes: 10, loss: 0.12 },
    { file: final, step: 8, final: true, bytes: 10, loss: null },
  ],
};

const loss = [
  { step: 6, loss: 0.2, average: 0.15 },
  { step: 8, loss: 0.09, average: 0.1 },
  { step: 9, loss: 0.5, average: 0.4 },
];

const image = (checkpoint: string, prompt: number, version = 1): string => `training/${runId}/trials/${checkpoint}/p${prompt}_v${version}.png`;

/** Two prompt lines × two seeds, as the panel asks for them: every line with every seed. */
const trials: TrialsRecord = {
  version: 1,
  prompts: [
    { prompt: 'spyke, portrait', negative: 'blurry', seed: 42 },
    { prompt: 'spyke, portrait', negative: 'blurry', seed: 7 },
    { prompt: 'spyke, full body', negative: '', seed: 42 },
    { prompt: 'spyke, full body', negative: '', seed: 7 },
  ],
  cells: [
    { checkpoint: step4, promptIndex: 0, image: image('spyke-step00000004', 1) },
    { checkpoint: step4, promptIndex: 1, image: image('spyke-step00000004', 2) },
    { checkpoint: step4, promptIndex: 3, image: image('spyke-step00000004', 4) },
    { checkpoint: final, promptIndex: 2, image: image('spyke', 3) },
  ],
};

describe('the comparison grid from trials.json', () => {
  it('comes back as prompt lines × seeds, rows the run\'s checkpoints with their loss, images where their file is', () => {
    const gone = image('spyke-step00000004', 2);
    const grid = storedTrialGrid(trials, record, loss, (file) => file !== gone);
    assert.ok(grid);
    assert.deepEqual(grid.checkpoints, [step4, final]);
    // The final checkpoint recorded no loss: the series' average at its step stands in.
    assert.deepEqual(grid.losses, [0.12, 0.1]);
    assert.deepEqual(grid.prompts, ['spyke, portrait --n blurry', 'spyke, full body']);
    assert.deepEqual(grid.seeds, [42, 7]);
    assert.deepEqual(grid.images, [
      { checkpoint: step4, promptIndex: 0, seed: 42, file: 'trials/spyke-step00000004/p1_v1.png' },
      { checkpoint: step4, promptIndex: 1, seed: 7, file: 'trials/spyke-step00000004/p4_v1.png' },
      { checkpoint: final, promptIndex: 1, seed: 42, file: 'trials/spyke/p3_v1.png' },
    ]);
    assert.deepEqual(grid.missing, [{ checkpoint: step4, promptIndex: 0, seed: 7, file: 'trials/spyke-step00000004/p2_v1.png' }]);
  });

  it('gives each prompt line back as the panel reads it', () => {
    for (const entry of trials.prompts) {
      const line = samplePromptLine(entry);
      const parsed = parseSamplePrompt(line);
      assert.deepEqual([parsed.prompt, parsed.negative], [entry.prompt, entry.negative]);
    }
  });

  it('places prompts that each had their own seed, leaving the other cells not made', () => {
    const own: TrialsRecord = {
      version: 1,
      prompts: [
        { prompt: 'a', negative: '', seed: 1234 },
        { prompt: 'b', negative: '', seed: 1235 },
      ],
      cells: [{ checkpoint: final, promptIndex: 1, image: image('spyke', 2) }],
    };
    const grid = storedTrialGrid(own, record, loss, () => true);
    assert.deepEqual([grid?.prompts, grid?.seeds], [['a', 'b'], [1234, 1235]]);
    assert.deepEqual(grid?.images, [{ checkpoint: final, promptIndex: 1, seed: 1235, file: 'trials/spyke/p2_v1.png' }]);
  });

  it('keeps the last record of a cell made twice', () => {
    const twice: TrialsRecord = { ...trials, cells: [...trials.cells, { checkpoint: step4, promptIndex: 0, image: image('spyke-step00000004', 1, 2) }] };
    const grid = storedTrialGrid(twice, record, loss, () => true);
    assert.deepEqual(grid?.images.filter((c) => c.promptIndex === 0 && c.seed === 42 && c.checkpoint === step4).map((c) => c.file), ['trials/spyke-step00000004/p1_v2.png']);
  });

  it('shows no image from outside the run folder, and drops cells of checkpoints or prompts the run does not have', () => {
    const odd: TrialsRecord = {
      ...trials,
      cells: [
        { checkpoint: step4, promptIndex: 0, image: `training/${runId}/../other/trials/p1_v1.png` },
        { checkpoint: step4, promptIndex: 1, image: '/etc/passwd' },
        { checkpoint: 'out/gone.safetensors', promptIndex: 0, image: image('gone', 1) },
        { checkpoint: final, promptIndex: 9, image: image('spyke', 10) },
      ],
    };
    const asked: string[] = [];
    const grid = storedTrialGrid(odd, record, loss, (file) => {
      asked.push(file);
      return true;
    });
    assert.deepEqual(asked, []);
    assert.deepEqual(grid?.images, []);
    assert.deepEqual(grid?.missing.map((c) => [c.checkpoint, c.promptIndex, c.seed]), [[step4, 0, 42], [step4, 0, 7]]);
    assert.equal(storedTrialGrid({ ...trials, cells: odd.cells.slice(2) }, record, loss, () => true), undefined);
    assert.equal(storedTrialGrid(trials, { ...record, checkpoints: [] }, loss, () => true), undefined);
  });

  it('stays within the protocol\'s bounds on prompts and seeds', () => {
    const many: TrialsRecord = {
      version: 1,
      prompts: Array.from({ length: 40 }, (_, i) => ({ prompt: `p${i % 20}`, negative: '', seed: i })),
      cells: Array.from({ length: 40 }, (_, i) => ({ checkpoint: final, promptIndex: i, image: image('spyke', i + 1) })),
    };
    const grid = storedTrialGrid(many, record, loss, () => true);
    assert.ok(grid);
    assert.ok(grid.prompts.length <= trainingLimits.trialPrompts);
    assert.equal(grid.seeds.length, trainingLimits.trialSeeds);
    assert.ok(grid.images.every((c) => c.promptIndex < grid.prompts.length && grid.seeds.includes(c.seed)));
  });

  it('takes the loss a checkpoint recorded, else the series at its step, else none', () => {
    assert.equal(checkpointLoss({ step: 4, loss: 0.12 }, loss), 0.12);
    assert.equal(checkpointLoss({ step: 7, loss: null }, loss), 0.15);
    assert.equal(checkpointLoss({ step: 8, loss: null }, [{ step: 8, loss: 0.3, average: null }]), 0.3);
    assert.equal(checkpointLoss({ step: 2, loss: null }, loss), null);
    assert.equal(checkpointLoss({ step: 8, loss: NaN }, [{ step: 8, loss: NaN, average: NaN }]), null);
  });
});

describe('the comparison grid read from a run folder', () => {
  it('reads trials.json and looks for each image on disk', () =>
    withTempFolder(async (studio) => {
      const paths = runPaths(studio, runId);
      await mkdir(paths.trials, { recursive: true });
      await writeFile(path.join(paths.trials, 'trials.json'), JSON.stringify(trials));
      for (const cell of trials.cells.filter((c) => c.promptIndex !== 1)) {
        await mkdir(path.dirname(path.join(studio, cell.image)), { recursive: true });
        await writeFile(path.join(studio, cell.image), 'png');
      }
      const read = await readStoredTrials(studio, record, loss);
      assert.equal(read.kind, 'grid');
      if (read.kind !== 'grid') return;
      assert.deepEqual(read.grid.images.map((c) => c.file), ['trials/spyke-step00000004/p1_v1.png', 'trials/spyke-step00000004/p4_v1.png', 'trials/spyke/p3_v1.png']);
      assert.deepEqual(read.grid.missing.map((c) => c.file), ['trials/spyke-step00000004/p2_v1.png']);
    }));

  it('is nothing without trials.json', () =>
    withTempFolder(async (studio) => {
      assert.deepEqual(await readStoredTrials(studio, record, loss), { kind: 'none' });
    }));

  it('says what is wrong with a bad trials.json, and neither reading nor a new image replaces it', () =>
    withTempFolder(async (studio) => {
      const paths = runPaths(studio, runId);
      const file = path.join(paths.trials, 'trials.json');
      await mkdir(paths.trials, { recursive: true });
      for (const [text, problem] of [
        ['{"version": 1, "prompts": [', /trials\/trials\.json is not valid JSON/],
        [JSON.stringify({ ...trials, cells: [{ checkpoint: step4, promptIndex: 'one', image: 'x.png' }] }), /trials\.json is not a checkpoint comparison record: cells\.0\.promptIndex/],
      ] as const) {
        await writeFile(file, text);
        const read = await readStoredTrials(studio, record, loss);
        assert.equal(read.kind, 'unreadable');
        if (read.kind !== 'unreadable') return;
        assert.match(read.problem, problem);
        assert.match(read.problem, new RegExp(`training/${runId}/trials/trials\\.json`));
        assert.match(read.problem, /fix the file or delete it/);
        await assert.rejects(recordTrialImage(paths, trials.prompts, trials.cells[0]!), /was not recorded in it: fix the file or delete it/);
        assert.equal(await readFile(file, 'utf8'), text);
      }
    }));
});
