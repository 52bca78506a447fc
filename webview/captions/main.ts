import './captions.css';
import { type CaptionsBootstrap, captionsBootstrapSchema, captionsProtocol, type CaptionsViewState } from '../../src/shared/protocol/captions';
import { announceReady, host, readBootstrap, setState, warn } from '../shared/host';
import './captionsApp';
import type { CaptionsApp } from './captionsApp';
import { CaptionsModel } from './captionsModel';

// The caption editor's entry: read the bootstrap, listen, then say ready. The webview's state
// keeps only the dataset (for reopening it after a window reload): the captions are re-read from
// disk whenever the panel is shown.

const parsed = captionsBootstrapSchema.safeParse(readBootstrap());
if (!parsed.success) warn(`the bootstrap is missing or invalid; starting empty: ${parsed.error.issues[0]?.message ?? ''}`);
const bootstrap: CaptionsBootstrap = parsed.success
  ? parsed.data
  : {
      datasetId: '',
      trigger: null,
      rows: [],
      tags: [],
      conflicts: [],
      history: { canUndo: false, canRedo: false },
      saving: null,
      readOnly: true,
      autoCaption: { template: '', defaultTemplate: '', model: null, class: 'character' },
    };

if (bootstrap.datasetId !== '') setState({ datasetId: bootstrap.datasetId } satisfies CaptionsViewState);

const model = new CaptionsModel(bootstrap, { host, warn });

host.onNotification(captionsProtocol.thumbsReady, ({ thumbs }) => model.thumbsReady(thumbs));
host.onNotification(captionsProtocol.saveFinished, (finished) => model.saveFinished(finished));
host.onNotification(captionsProtocol.rowsChanged, ({ rows, history }) => model.rowsChanged(rows, history));
host.onNotification(captionsProtocol.conflicts, ({ conflicts }) => model.conflictsFound(conflicts));
host.onNotification(captionsProtocol.autoCaptionProgress, (progress) => model.auto.onProgress(progress));
host.onNotification(captionsProtocol.autoCaptionText, ({ id, text }) => model.auto.onText(id, text));
host.onNotification(captionsProtocol.autoCaptionFinished, (result) => model.autoCaptionFinished(result));

const app = document.createElement('studionova-captions') as CaptionsApp;
app.model = model;
document.body.append(app);

// Hiding the panel destroys the webview (retainContextWhenHidden is off): save what is being typed.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') app.flush();
});
window.addEventListener('pagehide', () => app.flush());
announceReady();
