// `npm run bench`: builds what the benchmarks measure, runs each out/bench/**/*.bench.js in a node
// process of its own, forwards its output, and ends with a table of every BENCH figure.
// Exits 0 when a target is missed (that is a result), non-zero when a build or a benchmark crashes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { isStale, vsixPath, vsixSources } from '../scripts/freshness.mjs';

const vsix = vsixPath;
/** A benchmark that hangs must not hang the run; the slowest (activation) takes a minute or two. */
const benchTimeoutMs = 15 * 60_000;

/** Every figure seen, in order: { name, value, unit, target, result } or { name, skipped }. */
const figures = [];
const failures = [];

// Order matters: `esbuild.mjs --tests` rewrites dist/ as a development build, so the production
// build (and the VSIX packed from it) comes first and its size is read before the test build.
let vsixProblem;
if (isStale([vsix], vsixSources)) {
  // `npm run package` does the production build itself, then packs it.
  if (!run('npm', ['run', 'package'])) {
    vsixProblem = `\`npm run package\` failed, so ${vsix} may not match the sources`;
    console.log(`! ${vsixProblem}; the activation benchmark will be skipped`);
    mustRun('node', ['esbuild.mjs', '--production']);
  }
} else {
  mustRun('node', ['esbuild.mjs', '--production']);
}
reportHostBundle();
mustRun('node', ['esbuild.mjs', '--tests']);

for (const bundle of findBenchBundles('out/bench')) await runBench(bundle);

printSummary();
process.exit(failures.length > 0 ? 1 : 0);

/** The host bundle as shipped: minified dist/extension.js. sql.js's wasm and sharp are separate files. */
function reportHostBundle() {
  const file = 'dist/extension.js';
  // Another build (a teammate's `npm run test:unit`) may have replaced dist/ meanwhile; a
  // development build has a source map and would give a misleading size.
  if (readFileSync(file, 'utf8').includes('//# sourceMappingURL=')) {
    fail(`${file} is not the production build (rebuilt by something else meanwhile?)`);
    return;
  }
  const kib = statSync(file).size / 1024;
  console.log('\n> host bundle');
  emit(`BENCH host_bundle_kb ${kib.toFixed(1)} KiB`);
  emit(`  target < 1024 KiB: ${kib < 1024 ? 'ok' : 'MISSED'}`);
}

function runBench(bundle) {
  console.log(`\n> ${bundle}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: benchTimeoutMs,
      env: { ...process.env, ...(vsixProblem ? { STUDIONOVA_BENCH_VSIX_PROBLEM: vsixProblem } : {}) },
    });
    createInterface({ input: child.stdout }).on('line', emit);
    child.on('error', (error) => fail(`${bundle}: ${error.message}`));
    child.on('close', (code, signal) => {
      if (code !== 0) fail(`${bundle} exited with ${signal ?? code}`);
      resolve();
    });
  });
}

/** Prints a line and keeps what it says: a figure, a skip, or the target/reason of the figure above. */
function emit(line) {
  console.log(line);
  const bench = /^BENCH (\S+) (\S+)(?: (\S+))?$/.exec(line);
  const target = /^\s+target (.+): (ok|MISSED)$/.exec(line);
  const reason = /^\s+reason: (.+)$/.exec(line);
  if (bench && bench[2] === 'skipped') figures.push({ name: bench[1], skipped: '' });
  else if (bench) figures.push({ name: bench[1], value: bench[2], unit: bench[3] ?? '', target: '', result: '' });
  else if (target && figures.at(-1)) Object.assign(figures.at(-1), { target: target[1], result: target[2] });
  else if (reason && figures.at(-1)?.skipped === '') figures.at(-1).skipped = reason[1];
}

function printSummary() {
  const rows = figures.map((f) =>
    f.skipped !== undefined ? [f.name, '-', '', '', 'skipped'] : [f.name, f.value, f.unit, f.target, f.result || 'no target'],
  );
  const header = ['benchmark', 'value', 'unit', 'target', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const format = (row) => row.map((cell, i) => (i === 1 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(`\nSummary\n${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(format(row));
  for (const f of figures.filter((f) => f.skipped !== undefined)) console.log(`${f.name} skipped: ${f.skipped || 'no reason given'}`);
  const missed = figures.filter((f) => f.result === 'MISSED').length;
  console.log(`\n${figures.length} figures, ${missed} target(s) missed, ${failures.length} failure(s)`);
  for (const failure of failures) console.log(`  FAILED ${failure}`);
}

function fail(message) {
  failures.push(message);
  console.error(`! ${message}`);
}

function run(command, args) {
  console.log(`> ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit' }).status === 0;
}

/** A build that fails leaves nothing to measure. */
function mustRun(command, args) {
  if (run(command, args)) return;
  console.error(`! ${command} ${args.join(' ')} failed`);
  process.exit(1);
}

function findBenchBundles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .filter((file) => file.endsWith('.bench.js'))
    .map((file) => path.join(dir, file))
    .sort();
}

/** True when `output` is missing or older than the newest file under `sources`. */
