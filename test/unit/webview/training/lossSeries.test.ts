import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LossSeries } from '../../../../webview/training/lossSeries';

test('the arrays grow geometrically, so 100,000 single-point appends reallocate a handful of times', () => {
  const series = new LossSeries();
  let reallocations = 0;
  let buffer = series.steps;
  for (let i = 0; i < 100_000; i++) {
    series.append([i], [1 / (i + 1)], [null]);
    if (series.steps !== buffer) {
      reallocations++;
      buffer = series.steps;
    }
  }
  assert.equal(series.length, 100_000);
  assert.ok(reallocations <= 8, `${reallocations} reallocations`);
  assert.ok(series.capacity < 2 * 100_000 + 1024);
  // Values written before each growth are still there.
  assert.equal(series.steps[0], 0);
  assert.equal(series.losses[99_999], 1 / 100_000);
  assert.equal(series.steps[65_536], 65_536);
});

test('an unknown loss or average is NaN, and the series knows whether it has averages', () => {
  const series = new LossSeries();
  series.append([1, 2], [0.5, null], [null, null]);
  assert.ok(Number.isNaN(series.losses[1]!));
  assert.equal(series.hasAverages, false);
  series.append([3], [0.4], [0.45]);
  assert.equal(series.hasAverages, true);
  assert.equal(series.averages[2], 0.45);
});

test('a batch sent again is skipped where it overlaps, and a gap is accepted', () => {
  const series = new LossSeries();
  series.append([1, 2, 3], [1, 1, 1], [null, null, null]);
  assert.equal(series.appendFrom(2, [3, 4], [1, 2], [null, null]), 1, 'only step 4 is new');
  assert.deepEqual([...series.steps.subarray(0, series.length)], [1, 2, 3, 4]);
  assert.equal(series.appendFrom(0, [1, 2], [1, 1], [null, null]), 0);
  // Points 4 and 5 were lost: 6 comes anyway, and the count follows the host's.
  assert.equal(series.appendFrom(6, [7], [0.5], [null]), 1);
  assert.equal(series.total, 7);
  assert.equal(series.appendFrom(7, [8], [0.4], [null]), 1);
  assert.deepEqual([...series.steps.subarray(0, series.length)], [1, 2, 3, 4, 7, 8]);
});
