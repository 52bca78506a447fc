import './training.css';
import { type TrainingBootstrap, trainingBootstrapSchema, trainingProtocol } from '../../src/shared/protocol/training';
import { debounce } from '../shared/debounce';
import { announceReady, getState, host, readBootstrap, setState, warn } from '../shared/host';
import './configForm';
import type { ConfigForm } from './configForm';
import { FormModel } from './formModel';
import { RunModel } from './runModel';
import './runView';
import type { RunView } from './runView';
import { restoreViewState, ViewStateStore } from './viewState';

// The training panel's entry: the new-run form or one run, by the bootstrap; the UI state
// (sections, smoothing, scroll, a draft) is kept with VS Code's setState across hide and show.

const setStateDelayMs = 100;

const parsed = trainingBootstrapSchema.safeParse(readBootstrap());
if (parsed.success) start(parsed.data);
else showBroken(parsed.error.issues[0]?.message ?? '');
announceReady();

function start(bootstrap: TrainingBootstrap): void {
  let pending = restoreViewState(getState(), bootstrap);
  // Saved at once, not only on the first change: after a window reload the serializer reopens
  // the run named here, and a panel only looked at has changed nothing yet.
  setState(pending);
  const keep = debounce(() => setState(pending), setStateDelayMs);
  const ui = new ViewStateStore(pending, (state) => {
    pending = state;
    keep.schedule();
  });
  // Hiding the panel destroys the webview (retainContextWhenHidden is off): keep the last state.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') keep.flush();
  });
  window.addEventListener('pagehide', () => keep.flush());

  let view: ConfigForm | RunView;
  if (bootstrap.mode === 'form') {
    const model = new FormModel(bootstrap, { host, saveDraft: (draft) => ui.update({ draft }) }, ui.state.draft);
    view = document.createElement('studionova-training-form') as ConfigForm;
    (view as ConfigForm).model = model;
    void model.validateNow();
  } else {
    const model = new RunModel(bootstrap, host);
    host.onNotification(trainingProtocol.recordChanged, ({ record, samples, live }) => model.recordChanged(record, samples, live));
    host.onNotification(trainingProtocol.progress, ({ progress }) => model.progressChanged(progress));
    host.onNotification(trainingProtocol.lossAppended, (batch) => model.lossAppended(batch));
    host.onNotification(trainingProtocol.logAppended, ({ lines }) => model.logAppended(lines));
    host.onNotification(trainingProtocol.trialImage, (image) => model.trialImage(image));
    host.onNotification(trainingProtocol.trialsFinished, ({ error, cancelled }) => model.trialsFinished(error, cancelled));
    view = document.createElement('studionova-training-run') as RunView;
    (view as RunView).model = model;
  }
  view.ui = ui;
  view.classList.add('page');
  view.addEventListener('scroll', () => ui.update({ scrollTop: view.scrollTop }), { passive: true });
  document.body.append(view);
  if (bootstrap.mode === 'form') view.updateComplete.then(() => (view.scrollTop = ui.state.scrollTop), () => undefined);
}

function showBroken(reason: string): void {
  warn(`the bootstrap is missing or invalid: ${reason}`);
  const message = document.createElement('p');
  message.className = 'broken';
  message.textContent = 'The training panel could not read its state. Close it and open it again.';
  document.body.append(message);
}
