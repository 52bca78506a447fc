import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lossSnapshot, toLossArrays } from '../../../../src/shared/training/lossArrays';

test('points become parallel arrays, nan and infinity as null', () => {
  const arrays = toLossArrays([
    { step: 1, loss: 0.2, average: null },
    { step: 2, loss: Number.NaN, average: Number.NaN },
    { step: 3, loss: 0.1, average: Number.POSITIVE_INFINITY },
  ]);
  assert.deepEqual(arrays, { steps: [1, 2, 3], losses: [0.2, null, 0.1], averages: [null, null, null] });
  assert.deepEqual(toLossArrays([{ step: 1, loss: 1, average: 1 }, { step: 2, loss: 2, average: 2 }], 1).steps, [2]);
});

test('a series over the limit is thinned evenly, its ends kept and its length counted', () => {
  const points = Array.from({ length: 1001 }, (_, i) => ({ step: i, loss: i, average: null }));
  const snapshot = lossSnapshot(points, 11);
  assert.equal(snapshot.total, 1001);
  assert.deepEqual(snapshot.steps, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  assert.equal(lossSnapshot(points.slice(0, 5), 11).steps.length, 5);
});
