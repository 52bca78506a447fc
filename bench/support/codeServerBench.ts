// What the benchmarks in code-server share around their measuring: the skip where code-server
// cannot run, the session with its prepared studio, and its stop whatever happens.
import { launch, type LaunchOptions, type Session } from '../../test/e2e/harness';
import { codeServerUnavailable } from './codeServerAvailable';
import { skip } from './measure';

export interface CodeServerBench {
  /** Every figure the benchmark prints: each is printed as skipped, with the reason, where code-server cannot run. */
  readonly figures: readonly string[];
  /** The session: its name under test-output/e2e/, the studio, and what `prepare` adds to the studio. */
  readonly session: LaunchOptions;
  /** Measures in the started session; `preparedMs` is how long `prepare` took (not measured, printed for the record). */
  measure(session: Session, preparedMs: number): Promise<void>;
}

/**
 * Runs a benchmark in the packaged extension in code-server and stops the session after it. The
 * bundles are CommonJS, which has no top-level await: a failure is printed and sets the exit
 * code, which bench/run.mjs reports.
 */
export function runInCodeServer(bench: CodeServerBench): void {
  run(bench).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

async function run(bench: CodeServerBench): Promise<void> {
  const reason = codeServerUnavailable();
  if (reason) {
    for (const name of bench.figures) skip(name, reason);
    return;
  }
  let preparedMs = 0;
  const prepare = bench.session.prepare;
  const timedPrepare = async (folder: string): Promise<void> => {
    const started = performance.now();
    await prepare?.(folder);
    preparedMs = performance.now() - started;
  };
  const session = await launch({ ...bench.session, prepare: timedPrepare });
  try {
    await bench.measure(session, preparedMs);
  } finally {
    await session.stop();
  }
}
