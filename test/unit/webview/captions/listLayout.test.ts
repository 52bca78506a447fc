import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listHeight, scrollTopToReveal, visibleRows } from '../../../../webview/captions/listLayout';

test('only the rows in the viewport, with overscan, are shown out of 2,000', () => {
  assert.deepEqual(visibleRows(0, 500, 2000, 100, 0), { start: 0, end: 5 });
  assert.deepEqual(visibleRows(1050, 500, 2000, 100, 2), { start: 8, end: 18 });
  assert.equal(listHeight(2000, 112), 224_000);
});

test('an empty list or viewport shows nothing; a scroll past the end shows the last rows', () => {
  assert.deepEqual(visibleRows(0, 500, 0, 100), { start: 0, end: 0 });
  assert.deepEqual(visibleRows(0, 0, 10, 100), { start: 0, end: 0 });
  assert.deepEqual(visibleRows(5000, 300, 3, 100, 1), { start: 2, end: 3 });
});

test('revealing a row scrolls the least', () => {
  assert.equal(scrollTopToReveal(0, 300, 500, 100), 0);
  assert.equal(scrollTopToReveal(10, 0, 500, 100), 600);
  assert.equal(scrollTopToReveal(3, 100, 500, 100), 100);
});
