import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickSelection, emptySelection, keepKnown, selectAll } from '../../../../webview/captions/rowSelection';

const order = ['a', 'b', 'c', 'd'];
const plain = { range: false, toggle: false };

test('a plain click selects one row and anchors there', () => {
  const next = clickSelection(selectAll(order), order, 'b', plain);
  assert.deepEqual([...next.selected], ['b']);
  assert.equal(next.anchor, 'b');
});

test('Shift+click selects the range from the anchor, either way, and keeps the anchor', () => {
  const anchored = clickSelection(emptySelection, order, 'c', plain);
  assert.deepEqual([...clickSelection(anchored, order, 'a', { range: true, toggle: false }).selected], ['a', 'b', 'c']);
  const down = clickSelection(anchored, order, 'd', { range: true, toggle: false });
  assert.deepEqual([...down.selected], ['c', 'd']);
  assert.equal(down.anchor, 'c');
});

test('Ctrl+click toggles a row; Ctrl+Shift+click adds a range', () => {
  const one = clickSelection(emptySelection, order, 'a', plain);
  const two = clickSelection(one, order, 'c', { range: false, toggle: true });
  assert.deepEqual([...two.selected].sort(), ['a', 'c']);
  assert.deepEqual([...clickSelection(two, order, 'a', { range: false, toggle: true }).selected], ['c']);
  const added = clickSelection(clickSelection(one, order, 'd', { range: false, toggle: true }), order, 'b', { range: true, toggle: true });
  assert.deepEqual([...added.selected].sort(), ['a', 'b', 'c', 'd']);
});

test('Shift+click without an anchor selects the row alone', () => {
  assert.deepEqual([...clickSelection(emptySelection, order, 'b', { range: true, toggle: false }).selected], ['b']);
});

test('rows that are gone leave the selection', () => {
  const kept = keepKnown(selectAll(order), new Set(['b', 'c']));
  assert.deepEqual([...kept.selected], ['b', 'c']);
  assert.equal(kept.anchor, null);
});
