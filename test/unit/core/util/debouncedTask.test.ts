import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DebouncedTask } from '../../../../src/core/util/debouncedTask';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done` holds (a loaded machine may fire timers late), or fails after two seconds. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !done(); await sleep(5)) {
    if (Date.now() - started > 2000) assert.fail(`never: ${what}`);
  }
}

/** A task with a short delay that counts its runs. */
function counted(options: { delayMs?: number; longestHoldMs?: number } = {}) {
  const seen = { runs: 0, expired: 0 };
  const task = new DebouncedTask({
    delayMs: options.delayMs ?? 20,
    longestHoldMs: options.longestHoldMs ?? 10_000,
    run: () => void seen.runs++,
    holdExpired: () => void seen.expired++,
  });
  return { task, seen };
}

describe('DebouncedTask', () => {
  it('runs once after a burst of requests pauses', async () => {
    const { task, seen } = counted();
    for (let i = 0; i < 5; i++) task.request();
    assert.equal(seen.runs, 0, 'not at once');
    await until(() => seen.runs === 1, 'one run');
    await sleep(60);
    assert.equal(seen.runs, 1, 'only one');
    task.dispose();
  });

  it('runs nothing while held, then once after the release', async () => {
    const { task, seen } = counted();
    const hold = task.hold();
    task.request();
    task.request();
    await sleep(60);
    assert.equal(seen.runs, 0, 'held');
    hold.dispose();
    hold.dispose(); // a second dispose releases nothing more
    await until(() => seen.runs === 1, 'the run owed to the release');
    task.dispose();
  });

  it('a hold taken while a run is scheduled owes that run to its release', async () => {
    const { task, seen } = counted();
    task.request();
    const hold = task.hold();
    await sleep(60);
    assert.equal(seen.runs, 0);
    hold.dispose();
    await until(() => seen.runs === 1, 'the run owed to the release');
    task.dispose();
  });

  it('runs after the last of several holds, and not at all when nothing was requested', async () => {
    const { task, seen } = counted();
    const first = task.hold();
    const second = task.hold();
    first.dispose();
    await sleep(60);
    assert.equal(seen.runs, 0, 'nothing requested');
    task.request();
    first.dispose();
    await sleep(60);
    assert.equal(seen.runs, 0, 'the second hold is still in place');
    second.dispose();
    await until(() => seen.runs === 1, 'the run owed to the last release');
    task.dispose();
  });

  it('a hold never released stops holding after the longest hold', async () => {
    const { task, seen } = counted({ longestHoldMs: 50 });
    const hold = task.hold();
    task.request();
    await until(() => seen.runs === 1, 'the run after the hold ran out');
    assert.equal(seen.expired, 1);
    hold.dispose();
    await sleep(60);
    assert.deepEqual(seen, { runs: 1, expired: 1 }, 'a late release changes nothing');
    task.dispose();
  });

  it('cancel drops a scheduled or owed run', async () => {
    const { task, seen } = counted();
    task.request();
    task.cancel();
    const hold = task.hold();
    task.request();
    task.cancel();
    hold.dispose();
    await sleep(60);
    assert.equal(seen.runs, 0);
    task.dispose();
  });
});
