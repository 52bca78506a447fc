import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type GridGeometry,
  cellPosition,
  columnCount,
  contentHeight,
  pagesForRange,
  rowsPerViewport,
  scrollTopToCenter,
  scrollTopToReveal,
  visibleRange,
  widenRange,
} from '../../../../webview/gallery/gridLayout';

// Round numbers: a row every 110 px, a column every 110 px, 10 px of padding.
const geometry: GridGeometry = { cellWidth: 100, cellHeight: 100, gap: 10, padding: 10 };

test('columns fit the width, at least one', () => {
  assert.equal(columnCount(10 + 100 + 10, geometry), 1);
  assert.equal(columnCount(10 + 100 + 10 + 100 + 10, geometry), 2);
  assert.equal(columnCount(10 + 100 + 10 + 99 + 10, geometry), 1);
  assert.equal(columnCount(0, geometry), 1);
});

test('cells sit on a fixed pitch inside the padding', () => {
  assert.deepEqual(cellPosition(0, 3, geometry), { x: 10, y: 10 });
  assert.deepEqual(cellPosition(4, 3, geometry), { x: 120, y: 120 });
  assert.equal(contentHeight(7, 3, geometry), 10 + 3 * 100 + 2 * 10 + 10);
  assert.equal(contentHeight(0, 3, geometry), 0);
});

test('the visible range is whole rows in view, widened by overscan and clipped to the items', () => {
  // 10 000 items in 5 columns, a 300 px viewport scrolled to row 100.
  const top = 10 + 100 * 110;
  assert.deepEqual(visibleRange(top, 300, 10_000, 5, geometry), { start: 500, end: 515 });
  assert.deepEqual(visibleRange(top, 300, 10_000, 5, geometry, 1), { start: 495, end: 520 });
  assert.deepEqual(visibleRange(0, 300, 10_000, 5, geometry, 2), { start: 0, end: 25 });
  assert.deepEqual(visibleRange(1e9, 300, 12, 5, geometry, 1), { start: 10, end: 12 });
  assert.deepEqual(visibleRange(0, 300, 0, 5, geometry), { start: 0, end: 0 });
  assert.deepEqual(visibleRange(0, 0, 100, 5, geometry), { start: 0, end: 0 });
});

test('the rendered range stays small whatever the number of images', () => {
  for (const count of [100, 10_000, 1_000_000]) {
    const range = visibleRange(count * 10, 1000, count, 8, geometry, 1);
    assert.ok(range.end - range.start <= 8 * (Math.ceil(1000 / 110) + 3), `${count}: ${range.end - range.start}`);
  }
});

test('revealing scrolls as little as possible; centring puts the row a third down', () => {
  // Row 5 spans 560..660.
  assert.equal(scrollTopToReveal(25, 5, 0, 300, geometry), 660 + 10 - 300);
  assert.equal(scrollTopToReveal(25, 5, 1000, 300, geometry), 550);
  assert.equal(scrollTopToReveal(25, 5, 500, 300, geometry), 500);
  assert.equal(scrollTopToCenter(25, 5, 400, geometry), 560 - 100);
  assert.equal(scrollTopToCenter(0, 5, 400, geometry), 0);
  assert.equal(rowsPerViewport(340, geometry), 3);
  assert.equal(rowsPerViewport(50, geometry), 1);
});

test('pages near a range', () => {
  assert.deepEqual(pagesForRange({ start: 0, end: 0 }, 120), []);
  assert.deepEqual(pagesForRange({ start: 0, end: 120 }, 120), [0]);
  assert.deepEqual(pagesForRange({ start: 100, end: 250 }, 120), [0, 1, 2]);
  assert.deepEqual(widenRange({ start: 100, end: 200 }, 30, 210), { start: 70, end: 210 });
  assert.deepEqual(widenRange({ start: 10, end: 10 }, 30, 210), { start: 10, end: 10 });
});
