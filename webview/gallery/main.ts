import './gallery.css';
import {
  type GalleryBootstrap,
  type GalleryUiState,
  defaultGalleryUiState,
  galleryBootstrapSchema,
  galleryProtocol,
} from '../../src/shared/protocol/gallery';
import { debounce } from '../shared/debounce';
import { announceReady, getState, host, readBootstrap, setState, warn } from '../shared/host';
import './galleryApp';
import type { GalleryApp } from './galleryApp';
import { GalleryModel } from './galleryModel';
import { restoreUiState } from './uiState';

// The gallery panel's entry: read the bootstrap, restore the UI state, listen, then say ready.

/** VS Code's own copy of the state survives hide/show; the host's copy survives closing the panel. */
const setStateDelayMs = 100;
const saveToHostDelayMs = 300;

const parsed = galleryBootstrapSchema.safeParse(readBootstrap());
if (!parsed.success) warn(`the bootstrap is missing or invalid; starting empty: ${parsed.error.issues[0]?.message ?? ''}`);
const bootstrap: GalleryBootstrap = parsed.success
  ? parsed.data
  : {
      state: defaultGalleryUiState,
      summary: { total: 0, matching: 0, characters: [], chapters: [], pages: [], loras: [], checkpoints: [], approved: 0, upscaled: 0 },
      items: [],
      generation: -1,
    };

let latestState: GalleryUiState = restoreUiState(getState(), bootstrap.state);
const keepLocally = debounce(() => setState(latestState), setStateDelayMs);
const keepOnHost = debounce(() => host.command(galleryProtocol.saveState, { state: latestState }), saveToHostDelayMs);

const model = new GalleryModel(bootstrap, latestState, {
  host,
  saveState(state) {
    latestState = state;
    keepLocally.schedule();
    keepOnHost.schedule();
  },
  warn,
});

// Hiding the panel destroys the webview (retainContextWhenHidden is off): keep the last scroll position.
const flushState = (): void => {
  keepLocally.flush();
  keepOnHost.flush();
};
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') flushState();
});
window.addEventListener('pagehide', flushState);

host.onNotification(galleryProtocol.thumbsReady, ({ thumbs }) => model.thumbsReady(thumbs));
host.onNotification(galleryProtocol.changed, ({ generation }) => model.imagesChanged(generation));
host.onNotification(galleryProtocol.reveal, ({ path, open }) => void model.reveal(path, open));
host.onNotification(galleryProtocol.showFilter, ({ filter }) => {
  model.closeCompare();
  model.closeDetail();
  model.setFilter(filter);
});

const app = document.createElement('studionova-gallery') as GalleryApp;
app.model = model;
document.body.append(app);
model.start({ requery: !parsed.success });
announceReady();
