// Starts the Ollama test double (test/fakes/ollama/serve.py) for a test, the way a user starts
// `ollama serve`: on its own port, ready once it prints Ollama's `Listening on …` line. Node
// built-ins only.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { OllamaClient } from '../../src/core/ollama/ollamaClient';
import { findFreePort } from '../../src/core/process/freePort';
import { repositoryFile, stopChild } from './doubleProcess';

export interface FakeOllamaOptions {
  /** The double's flags: `--delay-ms 20`, `--fault mid-stream-error@2`, `--model name=completion,vision`… */
  args?: string[];
  /** Python to run; default `$PYTHON` or `python3`. */
  python?: string;
  /** How long to wait for the `Listening on` line; default 20 s. */
  readyTimeoutMs?: number;
}

export interface FakeOllama {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything it printed on stderr so far (Ollama's log lines, `[GIN]` request lines, `[fake]` notes). */
  stderr(): string;
  /** Resolves once a stderr line matches, or rejects after `timeoutMs` with the log tail. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The project's Ollama client pointed at the double. */
  client(): OllamaClient;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the process (SIGTERM, then SIGKILL). Safe to call twice. */
  stop(): Promise<void>;
}

/** test/fakes/ollama/serve.py, found from the working directory or from this file. */
export function fakeOllamaServe(): string {
  return repositoryFile(path.join('test', 'fakes', 'ollama', 'serve.py'));
}

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const port = await findFreePort();
  const python = options.python ?? process.env['PYTHON'] ?? 'python3';
  const child = spawn(python, [fakeOllamaServe(), '--host', '127.0.0.1', '--port', String(port), ...(options.args ?? [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;

  const fake: FakeOllama = {
    url,
    port,
    process: child,
    stderr: () => stderr,
    async waitForLog(pattern, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = stderr.split('\n').find((line) => pattern.test(line));
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`the Ollama double never logged ${pattern}:\n${stderr.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    client: () => new OllamaClient(url),
    exited,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(child, exited);
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (stderr.includes(`Listening on 127.0.0.1:${port} (version `)) return fake;
    if (child.exitCode !== null || child.signalCode !== null) {
      await fake.stop();
      throw new Error(`the Ollama double exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${stderr.slice(-2000)}`);
    }
    if (Date.now() > deadline) {
      await fake.stop();
      throw new Error(`the Ollama double was not ready in time:\n${stderr.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
