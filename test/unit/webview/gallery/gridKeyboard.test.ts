import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGridNavigationKey, nextSelection } from '../../../../webview/gallery/gridKeyboard';

// 23 images in 5 columns: rows 0-4, 5-9, 10-14, 15-19, 20-22.
const move = (key: Parameters<typeof nextSelection>[0], from: number | null, pageRows = 2): number | null => nextSelection(key, from, 23, 5, pageRows);

test('arrows move by one image or one row, without wrapping past the ends', () => {
  assert.equal(move('ArrowRight', 7), 8);
  assert.equal(move('ArrowLeft', 7), 6);
  assert.equal(move('ArrowDown', 7), 12);
  assert.equal(move('ArrowUp', 7), 2);
  assert.equal(move('ArrowUp', 2), 2);
  assert.equal(move('ArrowLeft', 0), 0);
  assert.equal(move('ArrowRight', 22), 22);
  assert.equal(move('ArrowDown', 21), 21);
});

test('down onto a short last row lands on its last image', () => {
  assert.equal(move('ArrowDown', 19), 22);
  assert.equal(move('ArrowDown', 17), 22);
  assert.equal(move('ArrowDown', 15), 20);
});

test('Home, End, PageUp and PageDown', () => {
  assert.equal(move('Home', 13), 0);
  assert.equal(move('End', 3), 22);
  assert.equal(move('PageDown', 1), 11);
  assert.equal(move('PageDown', 11), 21);
  assert.equal(move('PageDown', 21), 22);
  assert.equal(move('PageUp', 18), 8);
  assert.equal(move('PageUp', 8), 3);
  assert.equal(move('PageUp', 3), 0);
});

test('with nothing selected any key starts at the first image, End at the last; an empty grid selects nothing', () => {
  assert.equal(move('ArrowDown', null), 0);
  assert.equal(move('End', null), 22);
  assert.equal(nextSelection('ArrowDown', null, 0, 5, 2), null);
  assert.equal(nextSelection('ArrowDown', 40, 23, 5, 2), 0);
});

test('only navigation keys are grid keys', () => {
  assert.equal(isGridNavigationKey('PageDown'), true);
  assert.equal(isGridNavigationKey('Enter'), false);
  assert.equal(isGridNavigationKey(' '), false);
});
