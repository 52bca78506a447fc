import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommandType, NotificationType, RequestType } from '../../../../src/shared/protocol/ipc';
import type { FieldProblem, TrainingConfigWire, TrainingFormBootstrap } from '../../../../src/shared/protocol/training';
import type { Debounced } from '../../../../webview/shared/debounce';
import type { HostClient } from '../../../../webview/shared/hostConnection';
import { FormModel } from '../../../../webview/training/formModel';

const config: TrainingConfigWire = {
  preset: 'sd15-balanced',
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
  learningRate: 0.0001,
  unetLr: 0.0001,
  textEncoderLr: 0.00005,
  optimizer: 'AdamW',
  lrScheduler: 'cosine',
  lrWarmupSteps: 0,
  mixedPrecision: 'fp16',
  savePrecision: 'fp16',
  seed: 42,
  gradientCheckpointing: true,
  cacheLatents: true,
  attention: 'sdpa',
  sampleEveryNSteps: 200,
  samplePrompts: ['spyke, portrait --d 42'],
  tensorboard: true,
};

const bootstrap: TrainingFormBootstrap = {
  mode: 'form',
  datasetId: 'spyke',
  character: { id: 'spyke', name: 'Spyke' },
  presets: [
    { id: 'sd15-balanced', label: 'SD 1.5 balanced', description: '1,000 steps', fits: true, values: { maxTrainSteps: 1000, networkDim: 32 } },
    { id: 'sd15-quick', label: 'SD 1.5 quick', description: '400 steps', fits: true, values: { maxTrainSteps: 400, learningRate: 0.0002, samplePrompts: ['a', 'b'] } },
    { id: 'sdxl-big', label: 'SDXL', description: 'batch 4', fits: false, values: { batchSize: 4, baseModelVersion: 'sdxl' } },
  ],
  config,
  hardware: 'Apple M1, 16 GB',
  trusted: true,
};

interface Sent {
  readonly method: string;
  readonly params: unknown;
}

/** A host whose answers the test gives, one request at a time. */
function fakeHost(answer: (method: string, params: unknown) => unknown): HostClient & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    request<P, R>(type: RequestType<string, P, R>, params: P): Promise<R> {
      sent.push({ method: type.method, params });
      try {
        return Promise.resolve(answer(type.method, params) as R);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
    command<P>(type: CommandType<string, P>, params: P): void {
      sent.push({ method: type.method, params });
    },
    onNotification<P>(_type: NotificationType<string, P>): () => void {
      return () => undefined;
    },
  };
}

/** Validation runs when the test says: `pending` tells whether a pause is being waited for. */
function manualSchedule(): { schedule: (run: () => void) => Debounced; pending: () => boolean } {
  let waiting = false;
  return {
    pending: () => waiting,
    schedule: () => ({
      schedule: () => (waiting = true),
      flush: () => undefined,
      cancel: () => (waiting = false),
    }),
  };
}

function form(answer: (method: string, params: unknown) => unknown, options: { draft?: Record<string, string>; trusted?: boolean } = {}) {
  const host = fakeHost(answer);
  const timer = manualSchedule();
  const drafts: Record<string, string>[] = [];
  const model = new FormModel({ ...bootstrap, trusted: options.trusted ?? true }, { host, saveDraft: (draft) => drafts.push(draft), schedule: timer.schedule }, options.draft ?? null);
  return { model, host, timer, drafts };
}

const noProblems = (): unknown => ({ problems: [] });

test('a number that does not parse is shown under its field and blocks Start, without asking the host', () => {
  const { model, host } = form(noProblems);
  model.set('maxTrainSteps', '1,2x');
  assert.deepEqual(model.problemsFor('maxTrainSteps'), [{ message: '“1,2x” is not a whole number.', severity: 'error' }]);
  assert.equal(model.canStart, false);
  // The config keeps the last value that parsed.
  assert.equal(model.config.maxTrainSteps, 1000);
  assert.equal(host.sent.length, 0);
  model.set('maxTrainSteps', '1,500');
  assert.deepEqual(model.problemsFor('maxTrainSteps'), []);
  assert.equal(model.config.maxTrainSteps, 1500);
  assert.equal(model.canStart, true);
});

test('decimals take exponent form; a whole-number field refuses a fraction', () => {
  const { model } = form(noProblems);
  model.set('learningRate', '2e-4');
  assert.equal(model.config.learningRate, 0.0002);
  model.set('batchSize', '1.5');
  assert.equal(model.problemsFor('batchSize')[0]?.severity, 'error');
  model.set('unetLr', '0,0001');
  assert.match(model.problemsFor('unetLr')[0]!.message, /point for decimals/);
});

test('an edit asks the host after a pause, and its errors block Start while warnings do not', async () => {
  let problems: FieldProblem[] = [{ field: 'batchSize', message: 'Batch 4 is over the Apple M1, 16 GB limit of 1.', severity: 'error' }];
  const { model, host, timer } = form(() => ({ problems }));
  model.set('batchSize', '4');
  assert.equal(timer.pending(), true, 'validation waits for a pause');
  await model.validateNow();
  assert.deepEqual(host.sent.at(-1), { method: 'training/config/validate', params: { config: { ...config, batchSize: 4 } } });
  assert.deepEqual(model.problemsFor('batchSize'), [{ message: 'Batch 4 is over the Apple M1, 16 GB limit of 1.', severity: 'error' }]);
  assert.equal(model.canStart, false);
  problems = [{ field: 'networkAlpha', message: 'Alpha above dim makes the LoRA strong.', severity: 'warning' }];
  model.set('batchSize', '1');
  await model.validateNow();
  assert.deepEqual(model.problemsFor('batchSize'), []);
  assert.equal(model.problemsFor('networkAlpha')[0]?.severity, 'warning');
  assert.equal(model.canStart, true);
});

test('an answer to an older config is dropped', async () => {
  const answers: Array<(value: unknown) => void> = [];
  const host: HostClient = {
    request: <P, R>(_type: RequestType<string, P, R>): Promise<R> => new Promise<R>((resolve) => answers.push(resolve as (value: unknown) => void)),
    command: () => undefined,
    onNotification: () => () => undefined,
  };
  const model = new FormModel(bootstrap, { host, saveDraft: () => undefined, schedule: manualSchedule().schedule });
  const first = model.validateNow();
  const second = model.validateNow();
  answers[1]!({ problems: [] });
  await second;
  answers[0]!({ problems: [{ field: 'seed', message: 'stale', severity: 'error' }] });
  await first;
  assert.deepEqual(model.problemsFor('seed'), []);
  assert.equal(model.validating, false);
});

test('problems about the config as a whole are listed apart from the fields', async () => {
  const { model } = form(() => ({ problems: [{ field: '', message: 'The dataset spyke has 2 errors: run Check Dataset.', severity: 'error' }] }));
  await model.validateNow();
  assert.equal(model.generalProblems.length, 1);
  assert.equal(model.canStart, false);
});

test('Start sends the parsed config; refused, it shows the host’s problems, or its message', async () => {
  let reply: () => unknown = () => ({ runId: null, problems: [{ field: 'baseModel', message: 'No file at /models/sd15.safetensors.', severity: 'error' }] });
  const { model, host } = form((method) => (method === 'training/run/start' ? reply() : { problems: [] }));
  model.set('maxTrainSteps', '800');
  await model.start();
  assert.deepEqual(host.sent.at(-1), { method: 'training/run/start', params: { config: { ...config, maxTrainSteps: 800 } } });
  assert.equal(model.problemsFor('baseModel')[0]?.message, 'No file at /models/sd15.safetensors.');
  assert.equal(model.starting, false);
  assert.equal(model.canStart, false);

  model.set('baseModel', '/models/other.safetensors');
  await model.validateNow();
  reply = () => {
    throw new Error('A training is running already (spyke-2); wait for it or cancel it.');
  };
  await model.start();
  assert.equal(model.startError, 'A training is running already (spyke-2); wait for it or cancel it.');
  assert.equal(model.canStart, true);

  reply = () => ({ runId: 'spyke-3', problems: [] });
  await model.start();
  assert.equal(model.starting, true, 'the form waits for the run view');
  assert.equal(model.canStart, false);
});

test('a preset sets its parameters and keeps the rest; one beyond the hardware is not applied', () => {
  const { model } = form(noProblems);
  model.set('outputName', 'spyke-v2');
  model.applyPreset('sd15-quick');
  assert.equal(model.preset, 'sd15-quick');
  assert.equal(model.config.maxTrainSteps, 400);
  assert.equal(model.value('learningRate'), '2e-4');
  assert.equal(model.value('samplePrompts'), 'a\nb');
  assert.deepEqual(model.config.samplePrompts, ['a', 'b']);
  assert.equal(model.config.outputName, 'spyke-v2');
  model.applyPreset('sdxl-big');
  assert.equal(model.preset, 'sd15-quick');
  assert.equal(model.config.batchSize, 1);
});

test('the summary line says what Start will do', () => {
  const { model } = form(noProblems);
  assert.equal(model.summary, '1,000 steps · checkpoint every 200 · batch 1 on Apple M1, 16 GB');
  model.set('saveEveryNSteps', '0');
  model.set('maxTrainSteps', '12000');
  assert.equal(model.summary, '12,000 steps · final checkpoint only · batch 1 on Apple M1, 16 GB');
});

test('the values as typed are kept as a draft and come back, half-typed numbers included', () => {
  const { model, drafts } = form(noProblems);
  model.set('networkDim', '6');
  model.set('networkDim', '64x');
  model.set('cacheLatents', false);
  const draft = drafts.at(-1)!;
  assert.equal(draft['networkDim'], '64x');
  assert.equal(draft['cacheLatents'], 'false');
  const restored = form(noProblems, { draft }).model;
  assert.equal(restored.value('networkDim'), '64x');
  assert.equal(restored.value('cacheLatents'), false);
  assert.equal(restored.config.cacheLatents, false);
  assert.equal(restored.problemsFor('networkDim')[0]?.severity, 'error');
});

test('an untrusted folder never enables Start', async () => {
  const { model, host } = form(noProblems, { trusted: false });
  await model.validateNow();
  assert.equal(model.canStart, false);
  await model.start();
  assert.ok(!host.sent.some((s) => s.method === 'training/run/start'));
});
