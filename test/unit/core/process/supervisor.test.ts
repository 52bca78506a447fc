import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comfyPhaseOf, comfyProcessSpec } from '../../../../src/core/process/comfyProcessSpec';
import type { LogLine } from '../../../../src/core/process/logRing';
import { ProcessStartError } from '../../../../src/core/process/processStartError';
import { Supervisor, type ProcessExitEvent, type SupervisorSpec } from '../../../../src/core/process/supervisor';
import { AppError, isCancellation } from '../../../../src/core/util/errors';
import { silentLogger } from '../../../../src/core/util/logger';
import { describeState, FakeClock, fakeKillTree, FakeSpawn, settle, type FakeChild } from './fakes';

function setup(overrides: Partial<SupervisorSpec> = {}) {
  const clock = new FakeClock();
  const spawn = new FakeSpawn();
  const kill = fakeKillTree(spawn);
  const spec: SupervisorSpec = {
    id: 'test',
    name: 'Test',
    command: 'python3',
    args: ['main.py', '--port', '8188'],
    cwd: '/opt/app',
    env: { EXTRA: 'yes', DROP_ME: undefined },
    readiness: { logLine: /READY/ },
    startTimeoutMs: 60_000,
    stopTimeoutMs: 5000,
    ...overrides,
  };
  const supervisor = new Supervisor(spec, {
    spawn: spawn.spawn,
    clock,
    killTree: kill.killTree,
    baseEnv: { PATH: '/usr/bin', DROP_ME: 'x', PYTHONUNBUFFERED: '0' },
  });
  const states: string[] = [];
  supervisor.onDidChangeState((state) => states.push(describeState(state)));
  const exits: ProcessExitEvent[] = [];
  supervisor.onDidExit((exit) => exits.push(exit));
  return { clock, spawn, kill, supervisor, states, exits };
}

/** Every child prints the readiness line right after it starts. */
function printReadyOnSpawn(spawn: FakeSpawn): void {
  spawn.onSpawn = (child) => setImmediate(() => child.print('stderr', 'READY\n'));
}

function isStartError(failure: ProcessStartError['failure']) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ProcessStartError, `expected a ProcessStartError, got ${String(error)}`);
    assert.equal(error.failure, failure);
    return true;
  };
}

describe('Supervisor start', () => {
  it('spawns with the spec and an unbuffered UTF-8 Python environment', async () => {
    const t = setup();
    void t.supervisor.start();
    const child = t.spawn.last;
    assert.equal(child.command, 'python3');
    assert.deepEqual(child.args, ['main.py', '--port', '8188']);
    assert.equal(child.options.cwd, '/opt/app');
    assert.deepEqual(child.options.env, { PATH: '/usr/bin', EXTRA: 'yes', PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' });
    await t.supervisor.stop();
  });

  it('is ready once the log line was printed and then the probe answers, naming phases on the way', async () => {
    let probeAnswer = false;
    let probes = 0;
    const t = setup({
      readiness: {
        logLine: /To see the GUI go to:/,
        probe: async () => {
          probes++;
          return probeAnswer;
        },
        probeIntervalMs: 1000,
      },
      phaseOf: comfyPhaseOf,
    });
    let ready = false;
    const started = t.supervisor.start().then(() => (ready = true));
    const child = t.spawn.last;
    child.print('stderr', 'Total VRAM 8192 MB, total RAM 16384 MB\npytorch version: 2.3.0\n');
    await settle();
    assert.deepEqual(t.supervisor.state, { kind: 'starting', phase: 'loading PyTorch', pid: child.pid, attempt: 0 });
    child.print('stderr', 'ComfyUI version: 0.3.64\nImport times for custom nodes:\n   0.0 seconds: custom_nodes/x\n');
    child.print('stderr', 'Starting server\n\n');
    await settle();
    assert.equal(probes, 0, 'the probe waits for the log line');
    child.print('stderr', 'To see the GUI go to: http://127.0.0.1:8188\n');
    await settle();
    assert.equal(probes, 1);
    await t.clock.advance(100);
    assert.equal(probes, 2);
    assert.equal(ready, false);
    probeAnswer = true;
    await t.clock.advance(199);
    assert.equal(probes, 2, 'the pause doubles: 100 ms, then 200 ms');
    await t.clock.advance(1);
    await started;
    assert.equal(probes, 3);
    assert.deepEqual(t.supervisor.state, { kind: 'ready', pid: child.pid });
    assert.deepEqual(t.states, [
      'starting:launching',
      'starting:loading PyTorch',
      'starting:loading nodes',
      'starting:loading custom nodes',
      'starting:starting server',
      'ready',
    ]);
    assert.deepEqual(t.clock.pendingDelays(), [], 'no timer is left behind');
  });

  it('is ready at once when the spec names no readiness check (a training run)', async () => {
    const t = setup({ readiness: {} });
    await t.supervisor.start();
    assert.equal(t.supervisor.state.kind, 'ready');
  });

  it('stops the process and fails with a typed error when it is not ready in time', async () => {
    const t = setup({ startTimeoutMs: 60_000 });
    const started = t.supervisor.start();
    const child = t.spawn.last;
    child.print('stderr', 'still importing things\n');
    await t.clock.advance(59_999);
    assert.equal(t.supervisor.state.kind, 'starting');
    assert.equal(t.kill.calls.length, 0);
    await t.clock.advance(1);
    await assert.rejects(started, (error: unknown) => {
      isStartError('timeout')(error);
      const e = error as ProcessStartError;
      assert.equal(e.code, 'process_start_timeout');
      assert.match(e.userMessage, /^Test was not ready after 1 minute and was stopped\. Its last message: "still importing things"/);
      return true;
    });
    assert.deepEqual(
      t.kill.calls.map((c) => c.signal),
      ['SIGTERM', 'SIGKILL'],
    );
    assert.equal(t.kill.calls[1]!.leaderExited, true, 'after the exit only the group is swept');
    assert.equal(t.supervisor.state.kind, 'crashed');
    assert.deepEqual(t.states, ['starting:launching', 'stopping', 'crashed']);
  });

  it('fails with the exit code and the stderr tail when the process exits early', async () => {
    const t = setup();
    const started = t.supervisor.start();
    const child = t.spawn.last;
    child.print('stdout', 'Total VRAM 8192 MB\n');
    child.print('stderr', 'Traceback (most recent call last):\n  File "main.py", line 1, in <module>\n');
    child.print('stderr', "ModuleNotFoundError: No module named 'torch'\n");
    child.exit(1);
    await assert.rejects(started, (error: unknown) => {
      isStartError('exited')(error);
      const e = error as ProcessStartError;
      assert.equal(e.code, 'process_exited');
      assert.equal(e.exitCode, 1);
      assert.equal(e.signal, null);
      assert.deepEqual(e.stderrTail, [
        'Traceback (most recent call last):',
        '  File "main.py", line 1, in <module>',
        "ModuleNotFoundError: No module named 'torch'",
      ]);
      assert.equal(
        e.userMessage,
        `Test exited while starting (exit code 1). Its last message: "ModuleNotFoundError: No module named 'torch'". Check its settings; Show Logs has its full output.`,
      );
      return true;
    });
    const state = t.supervisor.state;
    assert.equal(state.kind, 'crashed');
    assert.ok(state.kind === 'crashed' && state.logTail.includes('Total VRAM 8192 MB'));
    assert.equal(t.exits.length, 1);
    assert.equal(t.exits[0]!.expected, false);
  });

  it('tells the user what to do about a known ComfyUI failure', async () => {
    const clock = new FakeClock();
    const spawn = new FakeSpawn();
    const spec = comfyProcessSpec({ python: '/venv/bin/python', folder: '/opt/ComfyUI', port: 8190, extraArgs: [], probe: async () => true });
    const supervisor = new Supervisor(spec, { spawn: spawn.spawn, clock, killTree: fakeKillTree(spawn).killTree });
    const started = supervisor.start();
    spawn.last.print('stderr', 'OSError: [Errno 98] error while attempting to bind on address (\'127.0.0.1\', 8190): address already in use\n');
    spawn.last.exit(1);
    await assert.rejects(started, (error: unknown) => {
      assert.ok(error instanceof ProcessStartError);
      assert.match(error.userMessage, /^ComfyUI exited while starting \(exit code 1\)\. Port 8190 is already in use/);
      return true;
    });
  });

  it('fails with spawn-failed when the program cannot be run', async () => {
    const t = setup();
    t.spawn.failNext = Object.assign(new Error('spawn python3 ENOENT'), { code: 'ENOENT' });
    await assert.rejects(t.supervisor.start(), (error: unknown) => {
      isStartError('spawn-failed')(error);
      assert.match((error as AppError).userMessage, /^Could not start Test: "python3" was not found, or the folder \/opt\/app does not exist\./);
      return true;
    });
    assert.equal(t.supervisor.state.kind, 'crashed');
    assert.equal(t.kill.calls.length, 0, 'nothing to kill without a pid');
  });

  it('never calls a process ready that printed the line and died in the same moment', async () => {
    const t = setup();
    const started = t.supervisor.start();
    t.spawn.last.print('stderr', 'READY\n');
    t.spawn.last.exit(3);
    await assert.rejects(started, isStartError('exited'));
    assert.equal(t.supervisor.state.kind, 'crashed');
  });

  it('stops the process and rejects as cancelled when the signal aborts during the start', async () => {
    const t = setup();
    const controller = new AbortController();
    const started = t.supervisor.start(controller.signal);
    await settle();
    controller.abort();
    await assert.rejects(started, (error: unknown) => isCancellation(error));
    await t.supervisor.stop();
    assert.deepEqual(t.kill.calls.map((c) => c.signal), ['SIGTERM', 'SIGKILL']);
    assert.deepEqual(t.states, ['starting:launching', 'stopping', 'stopped']);
    assert.equal(t.exits[0]!.expected, true);
  });

  it('does not start at all with an aborted signal', async () => {
    const t = setup();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(t.supervisor.start(controller.signal), (error: unknown) => isCancellation(error));
    assert.equal(t.spawn.children.length, 0);
  });

  it('ignores an abort that comes after the process is ready', async () => {
    const t = setup();
    printReadyOnSpawn(t.spawn);
    const controller = new AbortController();
    await t.supervisor.start(controller.signal);
    controller.abort();
    await settle();
    assert.equal(t.supervisor.state.kind, 'ready');
  });

  it('returns the same promise while starting or ready, and spawns once', async () => {
    const t = setup();
    const first = t.supervisor.start();
    assert.equal(t.supervisor.start(), first);
    t.spawn.last.print('stderr', 'READY\n');
    await first;
    assert.equal(t.supervisor.start(), first);
    assert.equal(t.spawn.children.length, 1);
  });

  it('waits for a stop in progress before starting again', async () => {
    const t = setup();
    printReadyOnSpawn(t.spawn);
    await t.supervisor.start();
    const stopping = t.supervisor.stop();
    const restarted = t.supervisor.start();
    await stopping;
    await restarted;
    assert.equal(t.spawn.children.length, 2);
    assert.equal(t.spawn.children[0]!.exited, true);
    assert.deepEqual(t.states, ['starting:launching', 'ready', 'stopping', 'stopped', 'starting:launching', 'ready']);
  });
});

describe('Supervisor stop', () => {
  it('sends SIGTERM and is done when the process exits', async () => {
    const t = setup();
    printReadyOnSpawn(t.spawn);
    await t.supervisor.start();
    const first = t.supervisor.stop();
    assert.equal(t.supervisor.stop(), first, 'the same stop while one is in progress');
    await first;
    assert.deepEqual(t.kill.calls, [
      { pid: t.spawn.last.pid, signal: 'SIGTERM', leaderExited: false },
      { pid: t.spawn.last.pid, signal: 'SIGKILL', leaderExited: true },
    ]);
    assert.deepEqual(t.states, ['starting:launching', 'ready', 'stopping', 'stopped']);
    await t.supervisor.stop();
    assert.equal(t.kill.calls.length, 2, 'stopping a stopped process does nothing');
    assert.deepEqual(t.exits.map((e) => e.expected), [true]);
  });

  it('kills the whole tree when SIGTERM is ignored for stopTimeoutMs', async () => {
    const t = setup({ stopTimeoutMs: 5000 });
    printReadyOnSpawn(t.spawn);
    await t.supervisor.start();
    const child = t.spawn.last;
    child.ignoreSigterm = true;
    let stopped = false;
    const stopping = t.supervisor.stop().then(() => (stopped = true));
    await t.clock.advance(4999);
    assert.deepEqual(t.kill.calls.map((c) => c.signal), ['SIGTERM']);
    assert.equal(t.supervisor.state.kind, 'stopping');
    await t.clock.advance(1);
    await stopping;
    assert.ok(stopped);
    assert.deepEqual(t.kill.calls, [
      { pid: child.pid, signal: 'SIGTERM', leaderExited: false },
      { pid: child.pid, signal: 'SIGKILL', leaderExited: false },
      { pid: child.pid, signal: 'SIGKILL', leaderExited: true },
    ]);
    assert.equal(t.supervisor.state.kind, 'stopped');
  });

  it('gives up waiting when not even SIGKILL ends the process', async () => {
    const t = setup({ stopTimeoutMs: 5000 });
    printReadyOnSpawn(t.spawn);
    await t.supervisor.start();
    t.spawn.last.receive = () => {};
    let stopped = false;
    const stopping = t.supervisor.stop().then(() => (stopped = true));
    await t.clock.advance(5000);
    assert.equal(stopped, false);
    await t.clock.advance(2000);
    await stopping;
    assert.equal(t.supervisor.state.kind, 'stopped');
  });

  it('falls back to killing the child when killTree fails', async () => {
    const clock = new FakeClock();
    const spawn = new FakeSpawn();
    printReadyOnSpawn(spawn);
    const supervisor = new Supervisor(
      { id: 'x', command: 'x', args: [], cwd: '/', readiness: { logLine: /READY/ }, startTimeoutMs: 1000, stopTimeoutMs: 1000 },
      { spawn: spawn.spawn, clock, killTree: () => Promise.reject(new Error('EPERM')) },
    );
    await supervisor.start();
    await supervisor.stop();
    assert.deepEqual(spawn.last.killed, ['SIGTERM']);
    assert.equal(supervisor.state.kind, 'stopped');
  });

  it('leaves a crashed process crashed', async () => {
    const t = setup();
    const started = t.supervisor.start();
    t.spawn.last.exit(1);
    await assert.rejects(started);
    await t.supervisor.stop();
    assert.equal(t.supervisor.state.kind, 'crashed');
  });

  it('restart() stops and starts again', async () => {
    const t = setup();
    printReadyOnSpawn(t.spawn);
    await t.supervisor.start();
    await t.supervisor.restart();
    assert.equal(t.spawn.children.length, 2);
    assert.equal(t.supervisor.state.kind, 'ready');
  });

  it('dispose() stops the process and refuses later starts', async () => {
    const t = setup();
    printReadyOnSpawn(t.spawn);
    await t.supervisor.start();
    t.supervisor.dispose();
    await settle();
    assert.equal(t.spawn.last.exited, true);
    assert.equal(t.states.at(-1), 'stopped');
    await assert.rejects(t.supervisor.start(), (error: unknown) => error instanceof AppError && error.code === 'process_disposed');
  });
});

describe('Supervisor after ready', () => {
  it('restarts a process that crashed, after a growing pause', async () => {
    const t = setup({ restart: {} });
    printReadyOnSpawn(t.spawn);
    await t.supervisor.start();
    t.spawn.last.exit(1);
    await settle();
    assert.deepEqual(t.supervisor.state, { kind: 'starting', phase: 'restarting (attempt 1)', pid: undefined, attempt: 1 });
    await t.clock.advance(999);
    assert.equal(t.spawn.children.length, 1);
    await t.clock.advance(1);
    assert.equal(t.spawn.children.length, 2);
    assert.deepEqual(t.supervisor.state, { kind: 'ready', pid: t.spawn.last.pid });

    await t.clock.advance(10_000);
    t.spawn.last.exit(null, 'SIGSEGV');
    await settle();
    assert.equal(describeState(t.supervisor.state), 'starting:restarting (attempt 2)');
    const joined = t.supervisor.start();
    assert.equal(t.supervisor.start(), joined, 'a start during a restart joins it');
    await t.clock.advance(1999);
    assert.equal(t.spawn.children.length, 2);
    await t.clock.advance(1);
    await joined;
    assert.equal(t.spawn.children.length, 3);
    assert.deepEqual(t.states, [
      'starting:launching',
      'ready',
      'starting:restarting (attempt 1)', // waiting, no pid
      'starting:restarting (attempt 1)', // spawned
      'ready',
      'starting:restarting (attempt 2)',
      'starting:restarting (attempt 2)',
      'ready',
    ]);
    assert.deepEqual(t.exits.map((e) => e.expected), [false, false]);
  });

  it('gives up after three crashes within two minutes and spawns nothing more', async () => {
    const t = setup({ restart: {} });
    t.spawn.onSpawn = (child) =>
      setImmediate(() => {
        if (t.spawn.children.length === 1) return child.print('stderr', 'READY\n');
        child.print('stderr', 'RuntimeError: CUDA error: device-side assert triggered\n');
        child.exit(1);
      });
    await t.supervisor.start();
    t.spawn.last.exit(1);
    await settle();
    const joined = t.supervisor.start();
    await t.clock.advance(1000);
    assert.equal(t.spawn.children.length, 2);
    assert.equal(describeState(t.supervisor.state), 'starting:restarting (attempt 2)');
    await t.clock.advance(2000);
    assert.equal(t.spawn.children.length, 3);
    const state = t.supervisor.state;
    assert.equal(state.kind, 'crashed');
    assert.ok(state.kind === 'crashed');
    assert.match(state.reason, /^Test crashed 3 times within 2 minutes, so it is not restarted again\. Its last message: "RuntimeError: CUDA error/);
    assert.equal(state.exitCode, 1);
    assert.ok(state.logTail.includes('RuntimeError: CUDA error: device-side assert triggered'));
    await assert.rejects(joined, isStartError('crash-loop'));
    await t.clock.advance(10 * 60_000);
    assert.equal(t.spawn.children.length, 3);

    // A start the user asks for gets a fresh budget.
    t.spawn.onSpawn = (child) => setImmediate(() => child.print('stderr', 'READY\n'));
    await t.supervisor.start();
    assert.equal(t.supervisor.state.kind, 'ready');
  });

  it('does not restart when stopped during the pause', async () => {
    const t = setup({ restart: {} });
    printReadyOnSpawn(t.spawn);
    await t.supervisor.start();
    const pending = t.supervisor.start();
    t.spawn.last.exit(1);
    await settle();
    const joined = t.supervisor.start();
    assert.notEqual(joined, pending);
    await t.supervisor.stop();
    await assert.rejects(joined, (error: unknown) => isCancellation(error));
    await t.clock.advance(60_000);
    assert.equal(t.spawn.children.length, 1);
    assert.deepEqual(t.states.slice(-3), ['starting:restarting (attempt 1)', 'stopping', 'stopped']);
  });

  it('without a restart policy ends stopped on exit code 0 and crashed otherwise', async () => {
    const t = setup({ readiness: {} });
    await t.supervisor.start();
    t.spawn.last.exit(0);
    await settle();
    assert.deepEqual(t.supervisor.state, { kind: 'stopped' });
    await t.supervisor.start();
    t.spawn.last.print('stderr', 'torch.OutOfMemoryError: CUDA out of memory.\n');
    t.spawn.last.exit(1);
    await settle();
    const state = t.supervisor.state;
    assert.equal(state.kind, 'crashed');
    assert.ok(state.kind === 'crashed' && state.reason === 'Test stopped unexpectedly (exit code 1).');
    assert.deepEqual(
      t.exits.map((e) => e.exitCode),
      [0, 1],
    );
    assert.equal(t.spawn.children.length, 2);
  });

  it('goes unhealthy and back on the caller’s word, and restarts an unhealthy process that dies', async () => {
    const t = setup({ restart: {} });
    printReadyOnSpawn(t.spawn);
    await t.supervisor.start();
    t.supervisor.markUnhealthy('queue stuck for 10 minutes');
    assert.deepEqual(t.supervisor.state, { kind: 'unhealthy', pid: t.spawn.last.pid, reason: 'queue stuck for 10 minutes' });
    t.supervisor.markHealthy();
    assert.equal(t.supervisor.state.kind, 'ready');
    t.supervisor.markUnhealthy('no answer');
    t.spawn.last.exit(1);
    await settle();
    assert.equal(describeState(t.supervisor.state), 'starting:restarting (attempt 1)');
    t.supervisor.markUnhealthy('ignored while starting');
    assert.equal(describeState(t.supervisor.state), 'starting:restarting (attempt 1)');
    await t.supervisor.stop();
  });
});

describe('Supervisor output', () => {
  it('reports lines and progress redraws, and keeps the latest bar in the tail', async () => {
    const t = setup({ readiness: {} });
    const lines: LogLine[] = [];
    t.supervisor.onLog((line) => lines.push(line));
    await t.supervisor.start();
    const child: FakeChild = t.spawn.last;
    child.print('stdout', 'epoch 1/4\n');
    child.print('stderr', '\rsteps:   0%|          | 0/400');
    child.print('stderr', '\rsteps:   1%|          | 4/400 [00:02<03:10, 2.09it/s, avr_loss=0.1');
    child.print('stderr', '\rsteps:   2%|▏         | 8/400 [00:04<03:08, 2.08it/s, avr_loss=0.0912]');
    await settle();
    assert.deepEqual(lines, [
      { stream: 'stdout', line: 'epoch 1/4', progress: false },
      { stream: 'stderr', line: 'steps:   0%|          | 0/400', progress: true },
      { stream: 'stderr', line: 'steps:   1%|          | 4/400 [00:02<03:10, 2.09it/s, avr_loss=0.1', progress: true },
    ]);
    assert.deepEqual(t.supervisor.logTail(), ['epoch 1/4', 'steps:   2%|▏         | 8/400 [00:04<03:08, 2.08it/s, avr_loss=0.0912]']);
    child.exit(0);
    await settle();
    assert.deepEqual(lines.at(-1), { stream: 'stderr', line: 'steps:   2%|▏         | 8/400 [00:04<03:08, 2.08it/s, avr_loss=0.0912]', progress: false });
  });

  it('decodes UTF-8 split across chunks', async () => {
    const t = setup({ readiness: {} });
    const lines: string[] = [];
    t.supervisor.onLog((line) => lines.push(line.line));
    await t.supervisor.start();
    const bytes = Buffer.from('学習開始\n', 'utf8');
    t.spawn.last.stdout.write(bytes.subarray(0, 4));
    t.spawn.last.stdout.write(bytes.subarray(4));
    await settle();
    assert.deepEqual(lines, ['学習開始']);
  });
});

describe('Supervisor with real processes', { timeout: 30_000 }, () => {
  function realSpec(script: string, overrides: Partial<SupervisorSpec> = {}): SupervisorSpec {
    return {
      id: 'real',
      name: 'Real',
      command: process.execPath,
      args: ['-e', script],
      cwd: process.cwd(),
      readiness: { logLine: /To see the GUI go to:/ },
      startTimeoutMs: 15_000,
      stopTimeoutMs: 500,
      ...overrides,
    };
  }

  function isAlive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** A killed grandchild is reaped by init a moment later; until then kill(pid, 0) still finds it. */
  async function waitUntilGone(pid: number, ms = 3000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return true;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return !isAlive(pid);
  }

  it('waits for the readiness line printed after a delay, then stops the child', async () => {
    const supervisor = new Supervisor(
      realSpec(`setTimeout(() => console.error('To see the GUI go to: ' + process.env.PYTHONUNBUFFERED), 300); setInterval(() => {}, 1000);`),
    );
    const startedAt = Date.now();
    await supervisor.start();
    assert.ok(Date.now() - startedAt >= 250, 'not ready before the line');
    assert.deepEqual(supervisor.logTail(), ['To see the GUI go to: 1']);
    const state = supervisor.state;
    assert.ok(state.kind === 'ready');
    await supervisor.stop();
    assert.equal(supervisor.state.kind, 'stopped');
    assert.equal(isAlive(state.pid), false);
  });

  it('kills a child that ignores SIGTERM together with its grandchild', async () => {
    const grandchild = `process.on('SIGTERM', () => {}); console.log('grandchild ' + process.pid); console.error('To see the GUI go to: x'); setInterval(() => {}, 1000);`;
    const script = `process.on('SIGTERM', () => {}); require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'inherit' }); setInterval(() => {}, 1000);`;
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    const supervisor = new Supervisor(realSpec(script), { logger });
    let grandchildPid: number | undefined;
    supervisor.onLog(({ line }) => {
      const match = /^grandchild (\d+)$/.exec(line);
      if (match) grandchildPid = Number(match[1]);
    });
    await supervisor.start();
    const state = supervisor.state;
    assert.ok(state.kind === 'ready');
    assert.ok(grandchildPid && isAlive(grandchildPid));
    const stopAt = Date.now();
    await supervisor.stop();
    const took = Date.now() - stopAt;
    assert.ok(took >= 450, `SIGTERM was given its time (${took} ms)`);
    assert.ok(took < 4000, `and the stop stayed bounded (${took} ms)`);
    assert.ok(warnings.some((w) => w.includes('did not stop within')));
    assert.equal(supervisor.state.kind, 'stopped');
    assert.equal(isAlive(state.pid), false);
    assert.ok(await waitUntilGone(grandchildPid), 'the grandchild is gone too');
  });

  it('reports an early exit with its exit code and stderr', async () => {
    const supervisor = new Supervisor(
      realSpec(`console.log('starting'); console.error('Traceback (most recent call last):'); console.error("ModuleNotFoundError: No module named 'torch'"); process.exit(3);`),
    );
    await assert.rejects(supervisor.start(), (error: unknown) => {
      assert.ok(error instanceof ProcessStartError);
      assert.equal(error.failure, 'exited');
      assert.equal(error.exitCode, 3);
      assert.deepEqual(error.stderrTail, ['Traceback (most recent call last):', "ModuleNotFoundError: No module named 'torch'"]);
      assert.match(error.userMessage, /exit code 3.*ModuleNotFoundError/);
      return true;
    });
    const state = supervisor.state;
    assert.ok(state.kind === 'crashed' && state.logTail.includes('starting'));
  });

  it('reports a program that does not exist', async () => {
    const supervisor = new Supervisor(realSpec('', { command: '/nonexistent/studionova-python' }));
    await assert.rejects(supervisor.start(), (error: unknown) => {
      assert.ok(error instanceof ProcessStartError);
      assert.equal(error.failure, 'spawn-failed');
      assert.match(error.userMessage, /"\/nonexistent\/studionova-python" was not found/);
      return true;
    });
  });
});
