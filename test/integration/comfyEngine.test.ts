// ComfyEngine against the ComfyUI test double: connected and managed mode, readiness, a crash
// restarted with backoff, and a stop that leaves no process behind.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ComfyEngine, type ComfyEngineState, type ComfySettings } from '../../src/core/comfy/comfyEngine';
import { ComfyUnavailableError } from '../../src/core/comfy/errors';
import { startFakeComfy } from '../support/fakeComfy';
import { recordingLogger, repoRoot } from '../support/tempStudio';

const connected = (url: string): ComfySettings => ({ mode: 'connected', url, folder: '', python: '', extraArgs: [], autoStart: false });

async function comfyBase(): Promise<string> {
  const base = await mkdtemp(path.join(tmpdir(), 'studionova-engine-'));
  await mkdir(path.join(base, 'models', 'checkpoints'), { recursive: true });
  await writeFile(path.join(base, 'models', 'checkpoints', 'sd15.safetensors'), '');
  await mkdir(path.join(base, 'custom_nodes'));
  return base;
}

/** The double's processes for one base directory, found by their command line in /proc. */
function processesOf(base: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.some((arg) => arg.endsWith('main.py')) && args.includes(base);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('ComfyEngine', () => {
  it('connected: ready with the server’s stats, or unreachable with a typed error', async () => {
    const comfy = await startFakeComfy();
    try {
      const engine = new ComfyEngine(connected(comfy.url), { logger: recordingLogger(), trusted: () => true });
      await engine.ensureReady();
      assert.equal(engine.state.kind, 'ready');
      assert.equal(engine.state.kind === 'ready' && engine.state.stats.system.comfyui_version, '0.3.64');
      engine.dispose();

      const down = new ComfyEngine(connected('http://127.0.0.1:9'), { logger: recordingLogger(), trusted: () => true });
      await assert.rejects(down.ensureReady(), ComfyUnavailableError);
      assert.equal(down.state.kind, 'unreachable');
      down.dispose();
    } finally {
      await comfy.stop();
    }
  });

  it('managed: starts main.py on a free port, restarts it after a crash, and stops the whole process', async () => {
    const base = await comfyBase();
    const settings: ComfySettings = {
      mode: 'managed',
      url: '',
      folder: path.join(repoRoot, 'test', 'fakes', 'comfyui'),
      python: 'python3',
      extraArgs: ['--base-directory', base, '--fake-startup-ms', '300'],
      autoStart: false,
    };
    const engine = new ComfyEngine(settings, { logger: recordingLogger(), trusted: () => true, healthIntervalMs: 200 });
    const states: ComfyEngineState['kind'][] = [];
    const phases: string[] = [];
    engine.onDidChangeState((state) => {
      states.push(state.kind);
      if (state.kind === 'starting') phases.push(state.phase);
    });
    const lines: string[] = [];
    engine.onLog(({ line }) => lines.push(line));
    try {
      const client = await engine.ensureReady();
      assert.match(client.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      await until(() => engine.state.kind === 'ready');
      assert.ok(phases.length > 0, 'the start-up phase is shown');
      assert.ok(lines.some((line) => line.startsWith('To see the GUI go to:')));
      // A crash while ready: the supervisor starts it again.
      const pids = processesOf(base);
      assert.equal(pids.length, 1);
      process.kill(pids[0]!, 'SIGKILL');
      await until(() => states.slice(states.lastIndexOf('ready') + 1).includes('starting') || engine.state.kind === 'starting');
      await until(() => engine.state.kind === 'ready');
      const restarted = processesOf(base);
      assert.equal(restarted.length, 1);
      assert.notEqual(restarted[0], pids[0]);

      await engine.stop();
      assert.equal(engine.state.kind, 'stopped');
      await until(() => !alive(restarted[0]!), 5_000);
    } finally {
      engine.dispose();
      await rm(base, { recursive: true, force: true });
    }
  });

  it('managed: refuses to start in an untrusted folder, and without a folder, saying what to do', async () => {
    const untrusted = new ComfyEngine({ ...connected(''), mode: 'managed', folder: '/opt/ComfyUI' }, { logger: recordingLogger(), trusted: () => false });
    await assert.rejects(untrusted.start(), /not trusted/);
    const unset = new ComfyEngine({ ...connected(''), mode: 'managed' }, { logger: recordingLogger(), trusted: () => true });
    await assert.rejects(unset.start(), /studionova\.comfyui\.folder/);
  });
});
