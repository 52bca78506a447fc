// How long activate() takes in a real VS Code (code-server) on the sample studio. The extension
// times itself and appends {"name":"activation_ms","value":<ms>} to $STUDIONOVA_BENCH_FILE;
// each run uses a fresh profile so nothing cached by an earlier run helps the next one.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launch } from '../test/e2e/harness';
import { codeServerUnavailable } from './support/codeServerAvailable';
import { report, skip } from './support/measure';

const name = 'activation_ms';
/** Each run starts code-server and Chromium (several seconds), so fewer runs than elsewhere. */
const runs = 3;
const activationTimeoutMs = 60_000;

// The bundle is CommonJS, which has no top-level await.
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

async function main(): Promise<void> {
  const reason = codeServerUnavailable();
  if (reason) return skip(name, reason);
  const samples: number[] = [];
  for (let run = 1; run <= runs; run++) samples.push(await activationOnce(run));
  report(name, samples, 'ms', 50);
}

async function activationOnce(run: number): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'studionova-bench-activation-'));
  const benchFile = path.join(dir, 'bench.jsonl');
  try {
    // launch() clears test-output/e2e/<name>/ first, so each run gets a fresh user-data dir.
    const session = await launch({ name: `bench-activation-${run}`, studio: 'sample', env: { STUDIONOVA_BENCH_FILE: benchFile } });
    try {
      return await waitForActivation(benchFile);
    } finally {
      await session.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The workbench can render before the extension host has activated us: poll for the line. */
async function waitForActivation(benchFile: string): Promise<number> {
  const deadline = Date.now() + activationTimeoutMs;
  while (Date.now() < deadline) {
    const text = await readFile(benchFile, 'utf8').catch(() => '');
    const line = text.split('\n').find((l) => l.trim() !== '');
    if (line) {
      const entry = JSON.parse(line) as { name?: unknown; value?: unknown };
      if (entry.name !== name || typeof entry.value !== 'number') throw new Error(`Unexpected line in ${benchFile}: ${line}`);
      return entry.value;
    }
    await sleep(100);
  }
  throw new Error(`The extension did not write ${benchFile} within ${activationTimeoutMs / 1000} s of the workbench opening`);
}
