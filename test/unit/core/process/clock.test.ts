import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock } from '../../../../src/core/process/clock';
import { isCancellation } from '../../../../src/core/util/errors';

describe('systemClock', () => {
  it('sleeps, and stops sleeping as cancelled when the signal aborts', async () => {
    const started = systemClock.now();
    await systemClock.sleep(20);
    assert.ok(systemClock.now() - started >= 15);
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort();
    await assert.rejects(sleeping, (error: unknown) => isCancellation(error));
  });

  it('cancels a timer through its handle', async () => {
    let fired = false;
    systemClock.setTimeout(() => (fired = true), 5).dispose();
    await systemClock.sleep(20);
    assert.equal(fired, false);
  });
});
