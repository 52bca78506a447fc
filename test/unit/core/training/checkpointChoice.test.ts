// Comparing checkpoints and choosing one: the test prompts, the staged files ComfyUI loads, the
// requests in checkpoint order, and "Use this checkpoint" never replacing another LoRA unasked.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readTrials, recordTrialImage, stageCheckpoint, trialPrompts, trialRequests } from '../../../../src/core/training/checkpointTrials';
import { LoraCatalog } from '../../../../src/core/training/loraCatalog';
import type { RunRecord } from '../../../../src/core/training/model';
import { newRunRecord, readRun, runPaths, writeRun } from '../../../../src/core/training/runFolder';
import { defaultTrainingConfig } from '../../../../src/core/training/trainingConfig';
import { useCheckpoint } from '../../../../src/core/training/useCheckpoint';
import { CancelledError } from '../../../../src/core/util/errors';
import { withTempFolder } from '../../../support/tempStudio';

const config = { ...defaultTrainingConfig({ preset: 'sd15-8gb', datasetId: 'spyke', outputName: 'spyke', baseModel: '/models/v1-5.safetensors', trigger: 'spyke_v1' }), samplePrompts: ['spyke_v1, full body --n lowres --d 42', 'spyke_v1, portrait', '# a comment'] };

/** A safetensors file with LoRA metadata, as sd-scripts writes it. */
function safetensors(metadata: Record<string, string>, filler = 0): Buffer {
  let header = JSON.stringify({ __metadata__: metadata, 'lora_unet.alpha': { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
  header += ' '.repeat((8 - (header.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  const data = Buffer.alloc(4);
  data.writeFloatLE(filler);
  return Buffer.concat([length, Buffer.from(header), data]);
}

async function runWithCheckpoints(studio: string): Promise<RunRecord> {
  const record: RunRecord = {
    ...newRunRecord('spyke-20261121-120000', config, new Date()),
    status: 'completed',
    checkpoints: [
      { file: 'out/spyke.safetensors', step: 6, final: true, bytes: 0, loss: 0.09 },
      { file: 'out/spyke-step00000002.safetensors', step: 2, final: false, bytes: 0, loss: 0.12 },
    ],
  };
  const paths = runPaths(studio, record.id);
  await mkdir(paths.out, { recursive: true });
  await writeFile(path.join(paths.out, 'spyke.safetensors'), safetensors({ ss_steps: '6', ss_network_dim: '32', ss_network_alpha: '16', ss_base_model_version: 'sd_v1' }, 6));
  await writeFile(path.join(paths.out, 'spyke-step00000002.safetensors'), safetensors({ ss_steps: '2' }, 2));
  await writeRun(studio, record);
  return record;
}

describe('checkpoint comparison', () => {
  it('takes the run\'s sample prompts with their negative and seed, and a fixed seed where none is given', () => {
    assert.deepEqual(trialPrompts(config), [
      { prompt: 'spyke_v1, full body', negative: 'lowres', seed: 42 },
      { prompt: 'spyke_v1, portrait', negative: '', seed: 1235 },
    ]);
  });

  it('asks for every checkpoint × prompt, in step order, each with the same seeds and its own LoRA file', () =>
    withTempFolder(async (studio) => {
      const record = await runWithCheckpoints(studio);
      const base = { width: 512, height: 512, steps: 20, cfg: 7, sampler: 'euler', scheduler: 'normal', checkpoint: 'v1-5.safetensors', characterId: 'spyke' };
      const requests = trialRequests(record, trialPrompts(config), base, (c) => `trials/${path.basename(c.file)}`);
      assert.deepEqual(
        requests.map((r) => [r.checkpoint.step, r.promptIndex, r.request.seeds[0], r.request.lora?.name]),
        [
          [2, 0, 42, 'trials/spyke-step00000002.safetensors'],
          [2, 1, 1235, 'trials/spyke-step00000002.safetensors'],
          [6, 0, 42, 'trials/spyke.safetensors'],
          [6, 1, 1235, 'trials/spyke.safetensors'],
        ],
      );
      assert.deepEqual(requests[0]!.request.target, { kind: 'trial', runId: record.id, checkpoint: 'spyke-step00000002', prompt: 0 });
      assert.throws(() => trialRequests({ ...record, checkpoints: [] }, trialPrompts(config), base, () => 'x'), /no checkpoint yet/);
    }));

  it('stages a checkpoint into the loras folder once, where the catalog does not list it as the user\'s LoRA', () =>
    withTempFolder(async (studio) => {
      const record = await runWithCheckpoints(studio);
      const loras = path.join(studio, 'comfy', 'models', 'loras');
      const name = await stageCheckpoint(runPaths(studio, record.id), record.id, record.checkpoints[0]!, loras);
      assert.equal(name, `studionova-trials/${record.id}/spyke.safetensors`);
      assert.deepEqual(await readFile(path.join(loras, ...name.split('/'))), await readFile(path.join(runPaths(studio, record.id).out, 'spyke.safetensors')));
      await writeFile(path.join(loras, 'other.safetensors'), safetensors({ ss_steps: '1200', ss_network_dim: '16', ss_base_model_version: 'sd_v1' }));
      const listed = await new LoraCatalog().list(loras);
      assert.deepEqual(listed.map((l) => [l.name, l.facts?.steps, l.facts?.networkDim]), [['other.safetensors', 1200, 16]]);
    }));

  it('remembers each finished test image for the grid after a reload', () =>
    withTempFolder(async (studio) => {
      const paths = runPaths(studio, 'spyke-20261121-120000');
      const prompts = trialPrompts(config);
      await recordTrialImage(paths, prompts, { checkpoint: 'out/spyke.safetensors', promptIndex: 0, image: 'training/x/trials/spyke/p1_v1.png' });
      await recordTrialImage(paths, prompts, { checkpoint: 'out/spyke.safetensors', promptIndex: 1, image: 'training/x/trials/spyke/p2_v1.png' });
      await recordTrialImage(paths, prompts, { checkpoint: 'out/spyke.safetensors', promptIndex: 0, image: 'training/x/trials/spyke/p1_v2.png' });
      const trials = (await readTrials(paths))?.record;
      assert.deepEqual(trials?.cells.map((c) => [c.promptIndex, c.image.replace(/^.*\//, '')]), [[1, 'p2_v1.png'], [0, 'p1_v2.png']]);
    }));
});

describe('Use this checkpoint', () => {
  it('copies the checkpoint under the character\'s LoRA name, sets the character\'s lora, and records the choice', () =>
    withTempFolder(async (studio) => {
      const record = await runWithCheckpoints(studio);
      const loras = path.join(studio, 'comfy', 'models', 'loras');
      const characterFile = path.join(studio, 'characters', 'spyke', 'character.md');
      await mkdir(path.dirname(characterFile), { recursive: true });
      await writeFile(characterFile, '---\nname: Spyke\ntrigger: spyke_v1\n---\nNotes.\n');
      const chosen = await useCheckpoint({
        studioRoot: studio,
        runId: record.id,
        file: 'out/spyke-step00000002.safetensors',
        lorasFolder: loras,
        loraName: 'spyke_v1',
        characterFile,
        confirmReplace: async () => assert.fail('nothing to replace'),
      });
      assert.deepEqual(await readFile(path.join(loras, 'spyke_v1.safetensors')), await readFile(path.join(runPaths(studio, record.id).out, 'spyke-step00000002.safetensors')));
      assert.equal(await readFile(characterFile, 'utf8'), '---\nname: Spyke\ntrigger: spyke_v1\nlora: spyke_v1\n---\nNotes.\n');
      assert.equal(chosen.chosen?.file, 'out/spyke-step00000002.safetensors');
      assert.equal((await readRun(studio, record.id))?.record?.chosen?.lora, 'spyke_v1');
    }));

  it('asks before replacing a different LoRA of that name, and keeps it when the answer is no', () =>
    withTempFolder(async (studio) => {
      const record = await runWithCheckpoints(studio);
      const loras = path.join(studio, 'loras');
      await mkdir(loras, { recursive: true });
      const theirs = safetensors({ ss_steps: '999' });
      await writeFile(path.join(loras, 'spyke_v1.safetensors'), theirs);
      const asked: string[] = [];
      const input = { studioRoot: studio, runId: record.id, file: 'out/spyke.safetensors', lorasFolder: loras, loraName: 'spyke_v1' };
      await assert.rejects(useCheckpoint({ ...input, confirmReplace: async (file) => (asked.push(file), false) }), CancelledError);
      assert.deepEqual(await readFile(path.join(loras, 'spyke_v1.safetensors')), theirs, 'the other LoRA is untouched');
      assert.equal((await readRun(studio, record.id))?.record?.chosen, null);
      await useCheckpoint({ ...input, confirmReplace: async () => true });
      assert.deepEqual(await readFile(path.join(loras, 'spyke_v1.safetensors')), await readFile(path.join(runPaths(studio, record.id).out, 'spyke.safetensors')));
      assert.equal(asked.length, 1);
    }));

  it('refuses a file that is not a checkpoint of the run', () =>
    withTempFolder(async (studio) => {
      const record = await runWithCheckpoints(studio);
      const input = { studioRoot: studio, runId: record.id, lorasFolder: path.join(studio, 'loras'), loraName: 'spyke_v1', confirmReplace: async () => true };
      await assert.rejects(useCheckpoint({ ...input, file: '../../studio.json' }), /not a checkpoint/);
      await assert.rejects(useCheckpoint({ ...input, file: 'out/spyke-step00000004.safetensors' }), /not a checkpoint/);
    }));
});
