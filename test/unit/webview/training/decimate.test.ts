import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnMeans, lowerBound, pointsToDraw } from '../../../../webview/training/decimate';

function noisy(length: number): { x: Float64Array; y: Float64Array } {
  const x = Float64Array.from({ length }, (_, i) => i + 1);
  const y = Float64Array.from({ length }, (_, i) => 0.1 + 0.05 * Math.sin(i * 1.7) + 0.02 * Math.cos(i * 0.31));
  return { x, y };
}

test('a series that fits its pixels is drawn whole, each point its own column', () => {
  const { x, y } = noisy(100);
  const points = pointsToDraw(x, y, 100, 400, null);
  assert.deepEqual([...points.indices], Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual([...columnMeans(y, points)], [...y]);
});

test('100,000 points become at most two per column, in order, with every spike kept', () => {
  const { x, y } = noisy(100_000);
  y[54_321] = 5; // a spike
  y[77_777] = -1; // a dip
  const columns = 800;
  const { indices } = pointsToDraw(x, y, 100_000, columns, null);
  assert.ok(indices.length <= 2 * columns + 2, `${indices.length} points`);
  assert.ok(indices.length > columns, 'at least one point per column');
  for (let i = 1; i < indices.length; i++) assert.ok(indices[i]! > indices[i - 1]!, 'ascending');
  assert.ok(indices.includes(54_321));
  assert.ok(indices.includes(77_777));
  assert.equal(indices[0], 0);
  assert.equal(indices[indices.length - 1], 99_999);
  // The extremes of every column survive: the drawn min and max equal the series'.
  const drawn = [...indices].map((i) => y[i]!);
  assert.equal(Math.max(...drawn), 5);
  assert.equal(Math.min(...drawn), -1);
});

test('each drawn point stands for its column, and the columns cover the series once', () => {
  const { x, y } = noisy(10_000);
  const { indices, starts, ends } = pointsToDraw(x, y, 10_000, 100, null);
  for (let i = 0; i < indices.length; i++) assert.ok(starts[i]! <= indices[i]! && indices[i]! < ends[i]!, `point ${i} lies in its column`);
  // The columns, without the first and last points added as their own: contiguous, from the first point to the last.
  const columns: Array<[number, number]> = [];
  for (let i = 0; i < indices.length; i++) {
    const column: [number, number] = [starts[i]!, ends[i]!];
    if (column[1] - column[0] === 1) continue;
    if (columns.at(-1)?.[0] !== column[0]) columns.push(column);
  }
  assert.equal(columns.length, 100);
  assert.equal(columns[0]![0], 0);
  assert.equal(columns.at(-1)![1], 10_000);
  for (let k = 1; k < columns.length; k++) assert.equal(columns[k]![0], columns[k - 1]![1]);
});

test('a smooth line is drawn as its mean over each column, not at the raw loss’s extremes', () => {
  const length = 10_000;
  const x = Float64Array.from({ length }, (_, i) => i);
  // Alternating 0 and 1: a min/max sample of it is a band from 0 to 1; its mean is 0.5 everywhere.
  const y = Float64Array.from({ length }, (_, i) => i % 2);
  const points = pointsToDraw(x, y, length, 50, null);
  const means = columnMeans(y, points);
  for (let i = 1; i < means.length - 1; i++) assert.ok(Math.abs(means[i]! - 0.5) < 0.01, `column ${i}: ${means[i]}`);
  // A column of nothing but NaN stays NaN: a gap.
  const gaps = Float64Array.from({ length }, (_, i) => (i < 5000 ? Number.NaN : 1));
  const gapMeans = columnMeans(gaps, points);
  assert.ok(Number.isNaN(gapMeans[2]!));
  assert.equal(gapMeans[gapMeans.length - 2], 1);
});

test('a zoomed window gets full resolution and the rest stays coarse, first and last kept', () => {
  const { x, y } = noisy(100_000);
  const { indices } = pointsToDraw(x, y, 100_000, 500, { min: 50_001, max: 50_400 });
  const inside = [...indices].filter((i) => x[i]! >= 50_001 && x[i]! <= 50_400);
  assert.equal(inside.length, 400, 'every point inside the 400-step window');
  assert.ok(indices.length < 400 + 4 * 125 + 10);
  assert.equal(indices[0], 0);
  assert.equal(indices[indices.length - 1], 99_999);
});

test('a column of nan losses keeps one point, drawn as a gap', () => {
  const { x, y } = noisy(10_000);
  for (let i = 5000; i < 5100; i++) y[i] = Number.NaN;
  const { indices } = pointsToDraw(x, y, 10_000, 100, null);
  assert.ok([...indices].some((i) => Number.isNaN(y[i]!)));
});

test('lowerBound finds the first step at or after a value', () => {
  const x = Float64Array.from([10, 20, 20, 30]);
  assert.equal(lowerBound(x, 4, 20), 1);
  assert.equal(lowerBound(x, 4, 21), 3);
  assert.equal(lowerBound(x, 4, 5), 0);
  assert.equal(lowerBound(x, 4, 31), 4);
});
