// Starts the ComfyUI test double (test/fakes/comfyui/main.py) for a test, the way the
// extension starts the real ComfyUI: `python3 main.py --listen 127.0.0.1 --port <N>
// --base-directory <dir> …`. Node built-ins only.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ComfyClient } from '../../src/core/comfy/comfyClient';
import { findFreePort } from '../../src/core/process/freePort';
import { repositoryFile, stopChild } from './doubleProcess';

/** Model files to create (empty) under <base>/models/<folder>; names may contain subfolders. */
export interface FakeComfyModels {
  checkpoints?: string[];
  loras?: string[];
  vae?: string[];
  upscale_models?: string[];
  controlnet?: string[];
  embeddings?: string[];
}

export interface FakeComfyOptions {
  /** Extra command-line flags: ComfyUI's (`--cpu`, `--preview-method auto`) or the double's (`--fake-step-ms 5`). */
  args?: string[];
  models?: FakeComfyModels;
  /** Python to run; default `$PYTHON` or `python3`. */
  python?: string;
  /** How long to wait for the readiness line; default 20 s plus any --fake-startup-ms. */
  readyTimeoutMs?: number;
}

export interface FakeComfy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  baseDir: string;
  outputDir: string;
  inputDir: string;
  process: ChildProcess;
  /** Everything the process printed so far (stderr, then stdout). */
  logs(): string;
  stderr(): string;
  stdout(): string;
  /** The last `lines` non-empty lines it printed, joined (for error messages). */
  logTail(lines?: number): string;
  /** The project's ComfyUI client pointed at the double. */
  client(): ComfyClient;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the process (SIGTERM, then SIGKILL) and removes the base directory. Safe to call twice. */
  stop(): Promise<void>;
}

const readinessLine = 'To see the GUI go to: ';

/** test/fakes/comfyui/main.py, found from the working directory (npm scripts run from the repository root) or from this file. */
export function fakeComfyMain(): string {
  return repositoryFile(path.join('test', 'fakes', 'comfyui', 'main.py'));
}


export async function startFakeComfy(options: FakeComfyOptions = {}): Promise<FakeComfy> {
  const baseDir = await mkdtemp(path.join(tmpdir(), 'fake-comfy-'));
  // ComfyUI crashes at startup when <base>/custom_nodes is missing, so a launcher creates it.
  for (const dir of ['custom_nodes', 'input', 'output', 'models/checkpoints', 'models/loras', 'models/vae', 'models/upscale_models', 'models/controlnet', 'models/embeddings']) {
    await mkdir(path.join(baseDir, dir), { recursive: true });
  }
  for (const [folder, names] of Object.entries(options.models ?? {})) {
    for (const name of names as string[]) {
      const file = path.join(baseDir, 'models', folder, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, '');
    }
  }

  const port = await findFreePort();
  const args = options.args ?? [];
  const python = options.python ?? process.env['PYTHON'] ?? 'python3';
  const child = spawn(python, [fakeComfyMain(), '--listen', '127.0.0.1', '--port', String(port), '--base-directory', baseDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stopped = false;
  const url = `http://127.0.0.1:${port}`;

  const fake: FakeComfy = {
    url,
    port,
    baseDir,
    outputDir: path.join(baseDir, 'output'),
    inputDir: path.join(baseDir, 'input'),
    process: child,
    logs: () => stderr + stdout,
    stderr: () => stderr,
    stdout: () => stdout,
    logTail: (lines = 12) =>
      (stderr + stdout)
        .split(/\r?\n|\r/)
        .filter((line) => line.trim() !== '')
        .slice(-lines)
        .join('\n'),
    client: () => new ComfyClient(url),
    exited,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(child, exited);
      await rm(baseDir, { recursive: true, force: true });
    },
  };

  // Ready when the readiness line is printed (stderr, or stdout with --log-stdout), or, with
  // --dont-print-server, when GET /system_stats answers; failed when the process ends first.
  const startupFlag = args.indexOf('--fake-startup-ms');
  const startupMs = startupFlag >= 0 ? Number(args[startupFlag + 1]) || 0 : 0;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20000 + startupMs);
  const quiet = args.includes('--dont-print-server');
  for (;;) {
    if ((stderr + stdout).includes(`${readinessLine}${url}`)) return fake;
    if (child.exitCode !== null || child.signalCode !== null) {
      await fake.stop();
      throw new Error(`the ComfyUI double exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${stderr.slice(-2000)}`);
    }
    if (Date.now() > deadline) {
      await fake.stop();
      throw new Error(`the ComfyUI double was not ready in time:\n${stderr.slice(-2000)}`);
    }
    if (quiet) {
      const ok = await fetch(`${url}/system_stats`).then((r) => r.ok, () => false);
      if (ok) return fake;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
