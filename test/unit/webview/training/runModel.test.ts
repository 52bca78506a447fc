import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommandType, NotificationType, RequestType } from '../../../../src/shared/protocol/ipc';
import type { RunRecordWire, TrainingConfigWire, TrainingRunBootstrap } from '../../../../src/shared/protocol/training';
import type { HostClient } from '../../../../webview/shared/hostConnection';
import { defaultTrialPrompts, logTailLines, RunModel, trialKey } from '../../../../webview/training/runModel';

const config = { outputName: 'spyke', maxTrainSteps: 1000, saveEveryNSteps: 200, sampleEveryNSteps: 200, samplePrompts: ['spyke, portrait --n blurry --d 42', 'spyke, full body'] } as TrainingConfigWire;

const record: RunRecordWire = {
  version: 1,
  id: 'spyke-1',
  status: 'running',
  config,
  command: null,
  createdAt: '2026-11-20T10:00:00Z',
  startedAt: '2026-11-20T10:00:01Z',
  endedAt: null,
  step: 400,
  totalSteps: 1000,
  checkpoints: [
    { file: 'out/spyke-step00000200.safetensors', step: 200, final: false, bytes: 37_748_736, loss: 0.11 },
    { file: 'out/spyke-step00000400.safetensors', step: 400, final: false, bytes: 37_748_736, loss: 0.1 },
  ],
  samples: [],
  failure: null,
  resumeFrom: null,
  resumes: null,
  chosen: null,
};

function bootstrap(change: Partial<TrainingRunBootstrap> = {}): TrainingRunBootstrap {
  return {
    mode: 'run',
    record,
    samples: [],
    loss: { steps: [1, 2, 3], losses: [0.2, null, 0.15], averages: [0.2, 0.2, 0.18], total: 3 },
    progress: { step: 400, total: 1000, itPerSec: 1.5, etaSec: 400, averageLoss: 0.105, epoch: 2, epochs: 5 },
    logTail: ['steps: 40%'],
    live: true,
    trials: null,
    trialsProblem: null,
    trusted: true,
    ...change,
  };
}

function fakeHost(answers: Record<string, unknown> = {}): HostClient & { sent: Array<{ method: string; params: unknown }> } {
  const sent: Array<{ method: string; params: unknown }> = [];
  return {
    sent,
    request<P, R>(type: RequestType<string, P, R>, params: P): Promise<R> {
      sent.push({ method: type.method, params });
      const answer = answers[type.method];
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve((answer ?? {}) as R);
    },
    command<P>(type: CommandType<string, P>, params: P): void {
      sent.push({ method: type.method, params });
    },
    onNotification<P>(_type: NotificationType<string, P>): () => void {
      return () => undefined;
    },
  };
}

test('the live figures come from the progress, the loss from the snapshot', () => {
  const model = new RunModel(bootstrap(), fakeHost());
  const figures = model.figures;
  assert.equal(figures.fraction, 0.4);
  assert.equal(figures.speed, '1.50 it/s');
  assert.equal(figures.eta, '6 min 40 s');
  assert.equal(figures.averageLoss, '0.1050');
  assert.equal(figures.epoch, '2 / 5');
  assert.equal(model.loss.length, 3);
  assert.ok(Number.isNaN(model.loss.losses[1]!));
});

test('a finished run shows its last average and no time left', () => {
  const model = new RunModel(bootstrap({ live: false, progress: null, record: { ...record, status: 'completed', step: 1000 } }), fakeHost());
  assert.equal(model.figures.averageLoss, '0.1800');
  assert.equal(model.figures.eta, '—');
  assert.equal(model.figures.fraction, 1);
});

test('a thinned snapshot counts every point, so the next batch lines up', () => {
  const model = new RunModel(bootstrap({ loss: { steps: [1, 50, 100], losses: [1, 0.5, 0.2], averages: [null, null, null], total: 100 } }), fakeHost());
  let told = 0;
  model.onLoss(() => told++);
  model.lossAppended({ from: 100, steps: [101], losses: [0.19], averages: [null] });
  model.lossAppended({ from: 100, steps: [101], losses: [0.19], averages: [null] });
  assert.equal(model.loss.length, 4);
  assert.equal(told, 1, 'a repeated batch does not redraw');
});

test('the log keeps its last 200 lines', () => {
  const model = new RunModel(bootstrap(), fakeHost());
  model.logAppended(Array.from({ length: 250 }, (_, i) => `line ${i}`));
  assert.equal(model.log.length, logTailLines);
  assert.equal(model.log.at(-1), 'line 249');
});

test('Cancel while it runs; Resume only for a failed or cancelled run that saved its state', async () => {
  const host = fakeHost();
  const model = new RunModel(bootstrap(), host);
  assert.equal(model.canCancel, true);
  assert.equal(model.canResume, false);
  await model.cancel();
  assert.equal(host.sent.at(-1)?.method, 'training/run/cancel');
  model.recordChanged({ ...record, status: 'cancelled', resumeFrom: 'out/spyke-step00000400-state' }, [], false);
  assert.equal(model.canCancel, false);
  assert.equal(model.canResume, true);
  model.recordChanged({ ...record, status: 'failed', resumeFrom: null }, [], false);
  assert.equal(model.canResume, false);
});

test('a refused action says why in the status line', async () => {
  const model = new RunModel(bootstrap(), fakeHost({ 'training/checkpoint/use': new Error('ComfyUI’s models folder is not set.') }));
  await model.useCheckpoint('out/spyke-step00000200.safetensors');
  assert.deepEqual(model.status, { text: 'ComfyUI’s models folder is not set.', error: true });
  assert.equal(model.pending.size, 0);
});

test('the comparison grid starts from the run’s sample prompts, and its images fill their cells', async () => {
  const grid = { checkpoints: record.checkpoints.map((c) => c.file), losses: [0.11, 0.1], prompts: ['spyke, portrait'], seeds: [42, 7], images: [], missing: [], running: true, error: null };
  const host = fakeHost({ 'training/trials/run': grid });
  const model = new RunModel(bootstrap(), host);
  assert.equal(model.trialPromptsText, 'spyke, portrait\nspyke, full body');
  model.setTrialInputs({ prompts: 'spyke, portrait\n\n', seeds: '42, 7' });
  await model.runTrialsFromInputs();
  assert.deepEqual(host.sent.at(-1), { method: 'training/trials/run', params: { checkpoints: grid.checkpoints, prompts: ['spyke, portrait'], seeds: [42, 7] } });
  model.trialImage({ checkpoint: 'out/spyke-step00000200.safetensors', promptIndex: 0, seed: 7, image: 'https://file/x.png' });
  assert.equal(model.trialImages.get(trialKey('out/spyke-step00000200.safetensors', 0, 7)), 'https://file/x.png');
  model.trialsFinished(null, false);
  assert.equal(model.trials?.running, false);
});

test('a grid read back from the run’s folder shows its images, its missing cells, and why a bad trials.json cannot be shown', async () => {
  const [first, second] = record.checkpoints.map((c) => c.file) as [string, string];
  const trials = {
    checkpoints: [first, second],
    losses: [0.11, 0.1],
    prompts: ['spyke, portrait --n blurry'],
    seeds: [42, 7],
    images: [{ checkpoint: first, promptIndex: 0, seed: 42, image: 'https://file/p1.png' }],
    missing: [{ checkpoint: second, promptIndex: 0, seed: 7 }],
    running: false,
    error: null,
  };
  const model = new RunModel(bootstrap({ live: false, progress: null, trials }), fakeHost({ 'training/trials/run': { ...trials, images: [], missing: [], running: true } }));
  assert.equal(model.trialPromptsText, 'spyke, portrait --n blurry');
  assert.equal(model.trialSeedsText, '42, 7');
  assert.equal(model.trialImages.get(trialKey(first, 0, 42)), 'https://file/p1.png');
  assert.ok(model.missingTrials.has(trialKey(second, 0, 7)));
  assert.ok(!model.missingTrials.has(trialKey(first, 0, 7)));
  // Made again, the image is no longer missing; a new grid forgets the old one's missing cells.
  model.trialImage({ checkpoint: second, promptIndex: 0, seed: 7, image: 'https://file/p1b.png' });
  assert.ok(!model.missingTrials.has(trialKey(second, 0, 7)));
  model.missingTrials.add(trialKey(first, 0, 7));
  await model.runTrialsFromInputs();
  assert.equal(model.missingTrials.size, 0);

  const broken = new RunModel(bootstrap({ live: false, trialsProblem: 'training/spyke-1/trials/trials.json is not valid JSON.' }), fakeHost({ 'training/trials/run': { ...trials, images: [], missing: [], running: true } }));
  assert.equal(broken.trials, null);
  assert.match(broken.trialsProblem ?? '', /not valid JSON/);
  await broken.runTrialsFromInputs();
  assert.equal(broken.trialsProblem, null);
});

test('bad seeds stop the grid before it is asked for', async () => {
  const host = fakeHost();
  const model = new RunModel(bootstrap(), host);
  model.setTrialInputs({ seeds: 'lucky' });
  await model.runTrialsFromInputs();
  assert.equal(model.status?.error, true);
  assert.ok(!host.sent.some((s) => s.method === 'training/trials/run'));
});

test('sample prompts lose their sd-scripts options in the grid', () => {
  assert.deepEqual(defaultTrialPrompts(['a cat --n dog --d 42', '  ', 'b --w 512', 'c', 'd', 'e']), ['a cat', 'b', 'c', 'd']);
});
