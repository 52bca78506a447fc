import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainingBootstrap, TrainingViewState } from '../../../../src/shared/protocol/training';
import { defaultViewState, isOpen, restoreViewState, ViewStateStore } from '../../../../webview/training/viewState';

const formOf = (datasetId: string): TrainingBootstrap => ({ mode: 'form', datasetId, character: null, presets: [], config: {} as never, hardware: '', trusted: true });
const runOf = (id: string): TrainingBootstrap => ({ mode: 'run', record: { id } as never, samples: [], loss: { steps: [], losses: [], averages: [], total: 0 }, progress: null, logTail: [], live: false, trials: null, trialsProblem: null, trusted: true });

const saved: TrainingViewState = { runId: 'spyke-1', datasetId: null, draft: null, smoothing: 0.9, open: { log: false }, scrollTop: 420 };

test('the same run comes back where the user left it', () => {
  assert.deepEqual(restoreViewState(saved, runOf('spyke-1')), saved);
});

test('another run keeps the smoothing and open sections, not the scroll position', () => {
  const state = restoreViewState(saved, runOf('spyke-2'));
  assert.equal(state.runId, 'spyke-2');
  assert.equal(state.smoothing, 0.9);
  assert.equal(isOpen(state, 'log', true), false);
  assert.equal(state.scrollTop, 0);
});

test('a draft belongs to its dataset’s form', () => {
  const draft = { ...saved, runId: null, datasetId: 'spyke', draft: { maxTrainSteps: '12' } };
  assert.deepEqual(restoreViewState(draft, formOf('spyke')).draft, { maxTrainSteps: '12' });
  assert.equal(restoreViewState(draft, formOf('faye')).draft, null);
  // The form after a run (a new panel on the same webview) starts clean.
  assert.equal(restoreViewState(saved, formOf('spyke')).draft, null);
});

test('a state that is not ours starts from the defaults', () => {
  assert.deepEqual(restoreViewState({ smoothing: 'high' }, runOf('spyke-1')), { ...defaultViewState, runId: 'spyke-1' });
});

test('changes are kept at once and handed to the saver', () => {
  const savedStates: TrainingViewState[] = [];
  const store = new ViewStateStore(defaultViewState, (state) => savedStates.push(state));
  store.setOpen('trials', true);
  store.update({ smoothing: 0.3 });
  assert.equal(isOpen(store.state, 'trials', false), true);
  assert.equal(savedStates.at(-1)?.smoothing, 0.3);
});
