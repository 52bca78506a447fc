// Builds the extension host bundle, the command-line tool, one ESM bundle per webview panel,
// and (with --tests) the unit tests, end-to-end tests and benchmarks.
//
//   node esbuild.mjs               development build (sourcemaps)
//   node esbuild.mjs --production  minified, with the webview size budget enforced
//   node esbuild.mjs --watch       rebuild on change, with problem-matcher lines for tasks.json
//   node esbuild.mjs --tests       also bundle test/**/*.test.ts and bench/*.ts into out/
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

/** Panels that have a webview bundle; each gets dist/webview/<name>.js. */
const webviewEntries = {
  gallery: 'webview/gallery/main.ts',
};
/** Minified size a webview bundle may reach before the production build fails. */
const webviewBudgetBytes = 150 * 1024;

/** Native or wasm-backed modules that must stay outside the bundles. */
// ws loads bufferutil and utf-8-validate only if they are installed; they are optional speed-ups.
const nodeExternals = ['vscode', 'sharp', 'bufferutil', 'utf-8-validate'];

/** Prints esbuild's start/end lines that the `$esbuild-watch` problem matcher looks for. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: watch ? 'silent' : 'warning',
  plugins: watch ? [problemMatcherPlugin] : [],
  legalComments: 'none',
};

const nodeCommon = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: nodeExternals,
  // Prefer ES modules: jsonc-parser's UMD entry loads its parts with a require() esbuild cannot follow.
  mainFields: ['module', 'main'],
};

/** @type {esbuild.BuildOptions[]} */
const configs = [
  { ...nodeCommon, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', metafile: true },
  {
    ...nodeCommon,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    metafile: true,
  },
];

if (tests) {
  const testEntries = [
    ...(await findFiles('test/unit', '.test.ts')),
    ...(await findFiles('test/integration', '.test.ts')),
    ...(await findFiles('test/e2e', '.test.ts')),
    ...(await findFiles('bench', '.bench.ts')),
  ];
  await rm('out/test', { recursive: true, force: true });
  await rm('out/bench', { recursive: true, force: true });
  configs.push({
    ...nodeCommon,
    sourcemap: 'inline',
    minify: false,
    entryPoints: testEntries,
    outbase: '.',
    outdir: 'out',
    external: [...nodeExternals, 'playwright-core'],
  });
}

async function findFiles(dir, suffix) {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

async function copyStaticAssets() {
  await mkdir('dist', { recursive: true });
  // sql.js loads its wasm at run time through `locateFile`; it is shipped beside the bundles.
  await copyFile('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');
}

function checkWebviewBudget(metafile) {
  const overBudget = Object.entries(metafile.outputs).filter(
    ([file, output]) => file.endsWith('.js') && output.bytes > webviewBudgetBytes,
  );
  for (const [file, output] of overBudget) {
    console.error(`${file} is ${(output.bytes / 1024).toFixed(1)} KiB, over the ${webviewBudgetBytes / 1024} KiB budget`);
  }
  return overBudget.length === 0;
}

if (!watch) await rm('dist', { recursive: true, force: true });
await copyStaticAssets();
if (watch) {
  const contexts = await Promise.all(configs.map((config) => esbuild.context(config)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  const results = await Promise.all(configs.map((config) => esbuild.build(config)));
  const webviewResult = results[2];
  if (production && !checkWebviewBudget(webviewResult.metafile)) process.exit(1);
}
