import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultGalleryUiState } from '../../../../src/shared/protocol/gallery';
import { restoreUiState } from '../../../../webview/gallery/uiState';

test('the webview state wins when valid; otherwise the host kept one', () => {
  const fromHost = { ...defaultGalleryUiState, scrollTop: 40 };
  const saved = { filter: { sort: 'seed' }, scrollTop: 1200, selected: 'output/a.png', detail: null, compare: ['output/a.png', 'output/b.png'] };
  assert.deepEqual(restoreUiState(saved, fromHost), saved);
  assert.equal(restoreUiState(undefined, fromHost), fromHost);
  assert.equal(restoreUiState({ ...saved, scrollTop: 'far' }, fromHost), fromHost);
  assert.equal(restoreUiState({ ...saved, filter: { sort: 'size' } }, fromHost), fromHost);
});
