import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestartPolicy } from '../../../../src/core/process/restartPolicy';

function policyAt(options: ConstructorParameters<typeof RestartPolicy>[0] = {}) {
  const clock = { time: 0 };
  return { clock, policy: new RestartPolicy(options, () => clock.time) };
}

describe('RestartPolicy', () => {
  it('doubles the pause from 1 s up to 30 s', () => {
    const { clock, policy } = policyAt({ maxCrashes: 100 });
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const decision = policy.recordCrash();
      assert.equal(decision.kind, 'restart');
      if (decision.kind === 'restart') delays.push(decision.delayMs);
      clock.time += 60_000;
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('gives up at the third crash within two minutes', () => {
    const { clock, policy } = policyAt();
    assert.deepEqual(policy.recordCrash(5000), { kind: 'restart', attempt: 1, delayMs: 1000 });
    clock.time += 50_000;
    assert.deepEqual(policy.recordCrash(5000), { kind: 'restart', attempt: 2, delayMs: 2000 });
    clock.time += 50_000;
    assert.deepEqual(policy.recordCrash(), { kind: 'give-up', reason: 'crashed 3 times within 2 minutes' });
  });

  it('forgets crashes older than the window, and starts the pause over after a stable run', () => {
    const { clock, policy } = policyAt();
    policy.recordCrash();
    clock.time += 100_000;
    policy.recordCrash(1000);
    clock.time += 30_000; // the first crash is now 130 s old
    assert.deepEqual(policy.recordCrash(1000), { kind: 'restart', attempt: 3, delayMs: 4000 });
    clock.time += 200_000;
    assert.deepEqual(policy.recordCrash(150_000), { kind: 'restart', attempt: 1, delayMs: 1000 });
  });

  it('gives up after maxAttempts restarts in a row even when they are slow', () => {
    const { clock, policy } = policyAt({ maxAttempts: 3 });
    for (let i = 1; i <= 3; i++) {
      assert.equal(policy.recordCrash().kind, 'restart');
      clock.time += 6 * 60_000;
    }
    assert.deepEqual(policy.recordCrash(), { kind: 'give-up', reason: 'failed 3 restarts in a row' });
  });

  it('starts afresh after reset()', () => {
    const { policy } = policyAt();
    policy.recordCrash();
    policy.recordCrash();
    policy.reset();
    assert.deepEqual(policy.recordCrash(), { kind: 'restart', attempt: 1, delayMs: 1000 });
  });
});
