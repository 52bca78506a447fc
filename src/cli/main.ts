import path from 'node:path';
import { parseArgs } from 'node:util';
import { studioFile } from '../core/studio/layout';
import { StudioIndex } from '../core/studio/studioIndex';
import { errorMessage } from '../core/util/errors';
import { pathExists } from '../core/util/files';
import type { Logger } from '../core/util/logger';
import { problemToJsonLine } from './problemJson';

const usage = `Usage: studionova <command> [options]

Commands:
  index <studio>   Rebuild the studio's index (.studio/index.sqlite) and print counts.
  check <studio>   Print every problem as one JSON object per line; exit 1 if any is an error.

Options:
  --json           (index) print the counts as one JSON object
  -h, --help       show this help
`;

/** Exit codes: 0 fine, 1 the studio has errors, 2 the command could not run. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, studioArg] = positionals;
  if (values.help || !command) {
    process.stdout.write(usage);
    return command || values.help ? 0 : 2;
  }
  if (command !== 'index' && command !== 'check') {
    process.stderr.write(`Unknown command "${command}".\n\n${usage}`);
    return 2;
  }
  if (!studioArg) {
    process.stderr.write(`studionova ${command} needs the studio folder, e.g. studionova ${command} .\n`);
    return 2;
  }
  const root = path.resolve(studioArg);
  if (!(await pathExists(path.join(root, studioFile)))) {
    process.stderr.write(`${root} is not a studio: it has no ${studioFile}.\n`);
    return 2;
  }

  const index = await StudioIndex.open({
    root,
    wasmPath: path.join(__dirname, 'sql-wasm.wasm'),
    logger: stderrLogger,
    // `check` only reads; `index` is asked to write the index.
    persist: command === 'index',
  });
  try {
    if (command === 'index') {
      const result = await index.rebuild();
      if (values.json) process.stdout.write(`${JSON.stringify({ ...result.counts, durationMs: Math.round(result.durationMs) })}\n`);
      else {
        for (const [name, count] of Object.entries(result.counts)) process.stdout.write(`${name.padEnd(11)} ${count}\n`);
        process.stdout.write(`Indexed in ${result.durationMs.toFixed(0)} ms.\n`);
      }
      return 0;
    }
    const problems = index.problems.list();
    for (const problem of problems) process.stdout.write(`${problemToJsonLine(problem)}\n`);
    return problems.some((p) => p.severity === 'error') ? 1 : 0;
  } finally {
    await index.close();
  }
}

const stderrLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
  error: (message) => process.stderr.write(`error: ${message instanceof Error ? message.message : message}\n`),
};

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`studionova: ${errorMessage(error)}\n`);
    process.exitCode = 2;
  },
);
