import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTimeLeft } from '../../../../src/core/training/timeLeft';

test('time left is whole seconds under a minute and whole minutes past it', () => {
  assert.equal(formatTimeLeft(0.4833333), '1 second');
  assert.equal(formatTimeLeft(12.6), '13 seconds');
  assert.equal(formatTimeLeft(59.4), '59 seconds');
  assert.equal(formatTimeLeft(61), '1 minute');
  assert.equal(formatTimeLeft(35 * 60 + 20), '35 minutes');
  assert.equal(formatTimeLeft(89.9), '1 minute');
  assert.equal(formatTimeLeft(90), '2 minutes');
});
