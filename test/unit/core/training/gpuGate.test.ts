import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hardwarePresets } from '../../../../src/core/settings/hardware';
import { admitGeneration, GpuBusyError, type TrainingActivity } from '../../../../src/core/training/gpuGate';
import type { RunRecord } from '../../../../src/core/training/model';
import { Emitter } from '../../../../src/core/util/emitter';
import { CancelledError } from '../../../../src/core/util/errors';

const run = { id: 'spyke-20261121-101500', step: 120, totalSteps: 1000 } as RunRecord;

function activity(running: boolean): TrainingActivity & { end(): void } {
  const ended = new Emitter<RunRecord>();
  const state: { active: { record(): RunRecord } | undefined } = { active: running ? { record: () => run } : undefined };
  return {
    get active() {
      return state.active;
    },
    onDidEnd: ended.event,
    end() {
      state.active = undefined;
      ended.fire(run);
    },
  };
}

const exclusive = { limits: hardwarePresets['apple-m1-16gb'].limits, label: 'Apple M1, 16 GB' };
const shared = { limits: hardwarePresets['nvidia-24gb'].limits, label: 'NVIDIA, 24 GB' };

test('no training, or a GPU that is not exclusive: the generation goes ahead at once', async () => {
  await admitGeneration(activity(false), { ...exclusive, generationDuringTraining: 'refuse' });
  await admitGeneration(activity(true), { ...shared, generationDuringTraining: 'refuse' });
});

test('refuse: a generation during a training on an exclusive GPU is refused, naming the training and the setting', async () => {
  await assert.rejects(admitGeneration(activity(true), { ...exclusive, generationDuringTraining: 'refuse' }), (error: unknown) => {
    assert.ok(error instanceof GpuBusyError);
    assert.match(error.userMessage, /spyke-20261121-101500/);
    assert.match(error.userMessage, /step 120 of 1000/);
    assert.match(error.userMessage, /generationDuringTraining/);
    return true;
  });
});

test('hold: the generation waits until the training ends, and says why once', async () => {
  const training = activity(true);
  const waited: string[] = [];
  let admitted = false;
  const admission = admitGeneration(training, { ...exclusive, generationDuringTraining: 'hold' }, undefined, (r) => waited.push(r.id)).then(() => (admitted = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(admitted, false, 'still waiting while the training runs');
  assert.deepEqual(waited, [run.id]);
  training.end();
  await admission;
  assert.equal(admitted, true);
});

test('hold: cancelling the wait rejects with a cancellation', async () => {
  const abort = new AbortController();
  const admission = admitGeneration(activity(true), { ...exclusive, generationDuringTraining: 'hold' }, abort.signal);
  abort.abort();
  await assert.rejects(admission, CancelledError);
});
