// Builds the extension host bundle, the command-line tool, one ESM bundle per webview panel,
// and (with --tests) the unit tests, end-to-end tests and benchmarks.
//
//   node esbuild.mjs               development build (sourcemaps)
//   node esbuild.mjs --production  minified, with the webview size budget enforced and sharp staged
//                                  in dist/node_modules for the VSIX
//   node esbuild.mjs --watch       rebuild on change, with problem-matcher lines for tasks.json
//   node esbuild.mjs --tests       also bundle test/**/*.test.ts and bench/*.ts into out/
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

/** Panels that have a webview bundle; each gets dist/webview/<name>.js. */
const webviewEntries = {
  gallery: 'webview/gallery/main.ts',
  captions: 'webview/captions/main.ts',
  training: 'webview/training/main.ts',
};
/** Minified size a webview bundle may reach before the production build fails. */
const webviewBudgetBytes = 150 * 1024;

/** Native or wasm-backed modules that must stay outside the bundles. */
// ws loads bufferutil and utf-8-validate only if they are installed; they are optional speed-ups.
const nodeExternals = ['vscode', 'sharp', 'bufferutil', 'utf-8-validate'];

/**
 * External packages the VSIX carries, with their runtime dependencies as installed for this
 * platform. They go to dist/node_modules, where Node looks first from dist/extension.js: vsce
 * `--no-dependencies` leaves the root node_modules out of the VSIX whatever .vscodeignore says.
 */
const shippedPackages = ['sharp'];

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

/** Copies `shippedPackages` and everything they load at run time into dist/node_modules. */
async function stageShippedPackages() {
  const folders = new Set();
  async function visit(name, from) {
    const folder = installedPackage(name, from);
    if (folder === undefined || folders.has(folder)) return folder;
    folders.add(folder);
    const manifest = JSON.parse(await readFile(path.join(folder, 'package.json'), 'utf8'));
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      if ((await visit(dependency, folder)) === undefined) throw new Error(`${manifest.name} needs ${dependency}, which is not installed`);
    }
    // Optional dependencies are the per-platform builds (sharp's libvips): npm installed this platform's only.
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) await visit(dependency, folder);
    return folder;
  }
  for (const name of shippedPackages) {
    if ((await visit(name, '.')) === undefined) throw new Error(`${name} is not installed; run npm ci`);
  }
  for (const folder of folders) {
    // A package's own node_modules holds other packages, copied in their own right when needed.
    const isOwnFile = (file) => !path.relative(folder, file).split(path.sep).includes('node_modules');
    await cp(folder, path.join('dist', folder), { recursive: true, dereference: true, filter: isOwnFile });
  }
}

/** Node's lookup from the folder `from`: `node_modules/<name>` there, then in each folder above. */
function installedPackage(name, from) {
  for (let folder = from; ; folder = path.dirname(folder)) {
    const candidate = path.join(folder, 'node_modules', name);
    if (path.basename(folder) !== 'node_modules' && existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (folder === path.dirname(folder)) return undefined;
  }
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
// Only the shipped build needs them: a development build finds them in the root node_modules.
if (production) await stageShippedPackages();
if (watch) {
  const contexts = await Promise.all(configs.map((config) => esbuild.context(config)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  const results = await Promise.all(configs.map((config) => esbuild.build(config)));
  const webviewResult = results[2];
  if (production && !checkWebviewBudget(webviewResult.metafile)) process.exit(1);
}
