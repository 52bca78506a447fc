import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampSmoothing, EmaSmoother } from '../../../../webview/training/smoothing';

/** TensorBoard's smoothing as its scalar dashboard writes it (resetting `w^n` with Math.pow). */
function tensorBoard(values: readonly number[], weight: number): number[] {
  let last = 0;
  let n = 0;
  return values.map((value) => {
    if (!Number.isFinite(value)) return value;
    last = last * weight + (1 - weight) * value;
    n++;
    return last / (1 - Math.pow(weight, n));
  });
}

function series(values: readonly number[]): Float64Array {
  return Float64Array.from(values);
}

test('the smoothed curve is TensorBoard’s debiased moving average', () => {
  const values = [0.5, 0.3, 0.4, 0.1, 0.2, 0.15, 0.12];
  const smoothed = new EmaSmoother().update(series(values), values.length, 0.6);
  const expected = tensorBoard(values, 0.6);
  values.forEach((_, i) => assert.ok(Math.abs(smoothed[i]! - expected[i]!) < 1e-12, `point ${i}`));
  // Debiased: it starts at the first value instead of climbing from zero.
  assert.ok(Math.abs(smoothed[0]! - 0.5) < 1e-12);
});

test('weight 0 leaves the series as it is; a constant series stays constant', () => {
  const values = [3, 1, 2];
  assert.deepEqual([...new EmaSmoother().update(series(values), 3, 0).subarray(0, 3)], values);
  const constant = new EmaSmoother().update(series([0.2, 0.2, 0.2, 0.2]), 4, 0.99);
  for (const value of constant.subarray(0, 4)) assert.ok(Math.abs(value - 0.2) < 1e-12);
});

test('a nan loss stays a gap and does not enter the average', () => {
  const smoothed = new EmaSmoother().update(series([1, Number.NaN, 1]), 3, 0.5);
  assert.ok(Number.isNaN(smoothed[1]!));
  assert.equal(smoothed[2], 1);
});

test('appending smooths only the new points, with the same result as smoothing all at once', () => {
  const values = Array.from({ length: 5000 }, (_, i) => Math.exp(-i / 1000) + 0.05 * Math.sin(i));
  const all = series(values);
  const smoother = new EmaSmoother();
  smoother.update(all, 1000, 0.8);
  smoother.update(all, 3000, 0.8);
  const incremental = smoother.update(all, 5000, 0.8);
  const whole = new EmaSmoother().update(all, 5000, 0.8);
  assert.deepEqual([...incremental.subarray(0, 5000)], [...whole.subarray(0, 5000)]);
});

test('a new weight smooths the whole series again', () => {
  const values = series([1, 0, 1, 0]);
  const smoother = new EmaSmoother();
  smoother.update(values, 4, 0.9);
  const again = smoother.update(values, 4, 0);
  assert.deepEqual([...again.subarray(0, 4)], [1, 0, 1, 0]);
});

test('the weight is kept between 0 and 0.99', () => {
  assert.equal(clampSmoothing(1), 0.99);
  assert.equal(clampSmoothing(-0.5), 0);
  assert.equal(clampSmoothing(Number.NaN), 0.6);
});
