import { existsSync } from 'node:fs';
import { ensureInstalled, vsixPath } from '../../test/e2e/harness';

/** Why a benchmark in code-server cannot run here (no code-server, Chromium or VSIX), or undefined when it can: such a machine skips it instead of failing the run. */
export function codeServerUnavailable(): string | undefined {
  // Set by bench/run.mjs when packaging failed: an old VSIX would measure old code.
  const vsixProblem = process.env['STUDIONOVA_BENCH_VSIX_PROBLEM'];
  if (vsixProblem) return vsixProblem;
  try {
    ensureInstalled();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return existsSync(vsixPath) ? undefined : `${vsixPath} is missing: run \`npm run package\` first.`;
}
