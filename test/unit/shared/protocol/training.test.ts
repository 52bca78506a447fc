import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunRecord, TrainingConfig, TrainingProgress } from '../../../../src/core/training/model';
import { parseMessage } from '../../../../src/shared/protocol/ipc';
import {
  type RunRecordWire,
  type TrainingConfigWire,
  type TrainingProgressWire,
  trainingBootstrapSchema,
  trainingLimits,
  trainingProtocol,
  trainingViewStateSchema,
} from '../../../../src/shared/protocol/training';

/** Compiles only when the two types have the same keys with mutually assignable values. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
const configMatches: Same<Mutable<TrainingConfig>, TrainingConfigWire> = true;
const progressMatches: Same<TrainingProgress, TrainingProgressWire> = true;
const recordKeysMatch: Same<keyof RunRecord, keyof RunRecordWire> = true;

const request = (method: string, params: unknown): unknown => ({ v: 1, kind: 'req', id: 1, method, params });
const notification = (method: string, params: unknown): unknown => ({ v: 1, kind: 'ntf', method, params });

const config: TrainingConfigWire = {
  preset: 'sd15',
  baseModel: '/models/sd15.safetensors',
  datasetId: 'spyke',
  regDatasetId: null,
  outputName: 'spyke',
  baseModelVersion: 'sd15',
  resolution: 512,
  batchSize: 1,
  repeats: 10,
  maxTrainSteps: 1000,
  saveEveryNSteps: 200,
  networkDim: 32,
  networkAlpha: 16,
  learningRate: 1e-4,
  unetLr: 1e-4,
  textEncoderLr: 5e-5,
  optimizer: 'AdamW',
  lrScheduler: 'cosine',
  lrWarmupSteps: 0,
  mixedPrecision: 'fp16',
  savePrecision: 'fp16',
  seed: 42,
  gradientCheckpointing: true,
  cacheLatents: true,
  attention: 'sdpa',
  sampleEveryNSteps: 0,
  samplePrompts: [],
  tensorboard: true,
};

const record: RunRecordWire = {
  version: 1,
  id: 'spyke-1',
  status: 'failed',
  config,
  command: { program: '/venv/bin/accelerate', args: ['launch', 'train_network.py'], cwd: '/sd-scripts' },
  createdAt: '2026-11-20T10:00:00Z',
  startedAt: null,
  endedAt: null,
  step: 0,
  totalSteps: null,
  checkpoints: [],
  samples: [],
  failure: { cause: 'out-of-memory', message: 'CUDA out of memory: lower the batch size.' },
  resumeFrom: null,
  resumes: null,
  chosen: null,
};

describe('training protocol', () => {
  it('keeps the wire types the same as the training vocabulary', () => {
    assert.equal(configMatches && progressMatches && recordKeysMatch, true);
  });

  it('accepts what the webview sends in normal use', () => {
    assert.equal(parseMessage(trainingProtocol.validate, request('training/config/validate', { config })).ok, true);
    assert.equal(parseMessage(trainingProtocol.start, request('training/run/start', { config })).ok, true);
    assert.equal(parseMessage(trainingProtocol.runTrials, request('training/trials/run', { checkpoints: ['out/a.safetensors'], prompts: ['spyke'], seeds: [42] })).ok, true);
    assert.equal(parseMessage(trainingProtocol.reveal, request('training/file/reveal', { path: 'out/a.safetensors' })).ok, true);
  });

  it('refuses what is too long, malformed or empty, before any handler runs', () => {
    const refused: Array<[Parameters<typeof parseMessage>[0], unknown]> = [
      [trainingProtocol.start, request('training/run/start', { config: { ...config, samplePrompts: Array.from({ length: trainingLimits.samplePrompts + 1 }, () => 'x') } })],
      [trainingProtocol.start, request('training/run/start', { config: { ...config, samplePrompts: ['x'.repeat(trainingLimits.prompt + 1)] } })],
      [trainingProtocol.start, request('training/run/start', { config: { ...config, batchSize: 1.5 } })],
      [trainingProtocol.start, request('training/run/start', { config: { ...config, optimizer: 'SGD' } })],
      [trainingProtocol.start, request('training/run/start', { config: { ...config, learningRate: Number.NaN } })],
      [trainingProtocol.validate, request('training/config/validate', { config: { ...config, datasetId: '' } })],
      [trainingProtocol.runTrials, request('training/trials/run', { checkpoints: ['a'], prompts: Array.from({ length: trainingLimits.trialPrompts + 1 }, () => 'p'), seeds: [1] })],
      [trainingProtocol.runTrials, request('training/trials/run', { checkpoints: ['a'], prompts: ['p'], seeds: [] })],
      [trainingProtocol.runTrials, request('training/trials/run', { checkpoints: [], prompts: ['p'], seeds: [1] })],
      [trainingProtocol.useCheckpoint, request('training/checkpoint/use', { file: '' })],
      [trainingProtocol.open, request('training/file/open', { path: 'x'.repeat(trainingLimits.path + 1) })],
    ];
    for (const [type, message] of refused) assert.equal(parseMessage(type, message).ok, false, JSON.stringify(message).slice(0, 160));
  });

  it('refuses a loss batch over the limit, and takes one at it', () => {
    const batch = (length: number): unknown => ({ from: 0, steps: new Array(length).fill(1), losses: new Array(length).fill(0.1), averages: new Array(length).fill(null) });
    assert.equal(parseMessage(trainingProtocol.lossAppended, notification('training/loss/appended', batch(trainingLimits.lossPoints))).ok, true);
    assert.equal(parseMessage(trainingProtocol.lossAppended, notification('training/loss/appended', batch(trainingLimits.lossPoints + 1))).ok, false);
    assert.equal(parseMessage(trainingProtocol.lossAppended, notification('training/loss/appended', { from: -1, steps: [], losses: [], averages: [] })).ok, false);
    assert.equal(parseMessage(trainingProtocol.logAppended, notification('training/log/appended', { lines: new Array(trainingLimits.logLines + 1).fill('x') })).ok, false);
    assert.equal(parseMessage(trainingProtocol.logAppended, notification('training/log/appended', { lines: ['x'.repeat(trainingLimits.logLineLength + 1)] })).ok, false);
  });

  it('checks both bootstraps by their mode', () => {
    const run = { mode: 'run', record, samples: [], loss: { steps: [1], losses: [null], averages: [null], total: 1 }, progress: null, logTail: [], live: false, trials: null, trialsProblem: null, trusted: true };
    assert.equal(trainingBootstrapSchema.safeParse(run).success, true);
    const grid = { checkpoints: ['out/a.safetensors', 'out/b.safetensors'], losses: [0.12, null], prompts: ['spyke'], seeds: [42], images: [{ checkpoint: 'out/a.safetensors', promptIndex: 0, seed: 42, image: 'https://file/a.png' }], missing: [{ checkpoint: 'out/b.safetensors', promptIndex: 0, seed: 42 }], running: false, error: null };
    assert.equal(trainingBootstrapSchema.safeParse({ ...run, trials: grid, trialsProblem: null }).success, true);
    assert.equal(trainingBootstrapSchema.safeParse({ ...run, trials: null, trialsProblem: 'trials.json is not valid JSON.' }).success, true);
    // One loss per checkpoint; a missing cell has no image to name.
    assert.equal(trainingBootstrapSchema.safeParse({ ...run, trials: { ...grid, losses: [0.12] } }).success, false);
    assert.equal(trainingBootstrapSchema.safeParse({ ...run, trials: { ...grid, missing: [{ checkpoint: 'out/b.safetensors', promptIndex: -1, seed: 42 }] } }).success, false);
    assert.equal(trainingBootstrapSchema.safeParse({ ...run, trials: { ...grid, missing: new Array(trainingLimits.trialImages + 1).fill(grid.missing[0]) } }).success, false);
    assert.equal(trainingBootstrapSchema.safeParse({ ...run, trialsProblem: 'x'.repeat(trainingLimits.message + 1) }).success, false);
    assert.equal(trainingBootstrapSchema.safeParse({ ...run, trialsProblem: undefined }).success, false);
    assert.equal(trainingBootstrapSchema.safeParse({ ...run, record: { ...record, status: 'paused' } }).success, false);
    const form = { mode: 'form', datasetId: 'spyke', character: null, presets: [{ id: 'quick', label: 'Quick', description: '', fits: false, values: { maxTrainSteps: 400 } }], config, hardware: 'Apple M1, 16 GB', trusted: true };
    assert.equal(trainingBootstrapSchema.safeParse(form).success, true);
    assert.equal(trainingBootstrapSchema.safeParse({ ...form, mode: 'run' }).success, false);
    assert.equal(trainingBootstrapSchema.safeParse({ ...form, presets: [{ id: 'quick', label: 'Quick', description: '', fits: true, values: { batchSize: 'two' } }] }).success, false);
  });

  it('bounds the saved view state the serializer reads', () => {
    const state = { runId: 'spyke-1', datasetId: null, draft: null, smoothing: 0.6, open: { log: true }, scrollTop: 0 };
    assert.equal(trainingViewStateSchema.safeParse(state).success, true);
    assert.equal(trainingViewStateSchema.safeParse({ ...state, smoothing: 1 }).success, false);
  });
});
