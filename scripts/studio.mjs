// `npm run studio [-- --port N] [--fresh] [--preview-engines]`: opens a copy of samples/studio in
// a real VS Code (code-server) with the packaged extension, to try StudioNOVA by hand in a browser.
// The copy and the VS Code profile live in the cache and are kept between runs; --fresh starts
// both over. Runs until Ctrl+C.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureVsix } from './freshness.mjs';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    // Lets StudioNOVA start the ComfyUI test double as its managed ComfyUI: the whole flow, no GPU.
    'preview-engines': { type: 'boolean', default: false },
  },
});

process.chdir(path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
ensureVsix();

// The harness is TypeScript; a throwaway bundle lets this script share its code-server handling.
const harnessBundle = path.resolve('out/scripts/harness.mjs');
await esbuild.build({
  entryPoints: ['test/e2e/harness.ts'],
  outfile: harnessBundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['playwright-core'],
  logLevel: 'warning',
});
const harness = await import(pathToFileURL(harnessBundle).href);
harness.ensureInstalled();

const studio = path.join(harness.cacheDir, 'sample-studio');
const userDataDir = path.join(harness.cacheDir, 'studio-profile', 'user-data');
const extensionsDir = path.join(harness.cacheDir, 'studio-profile', 'extensions');
if (options.fresh) {
  await rm(studio, { recursive: true, force: true });
  await rm(path.dirname(userDataDir), { recursive: true, force: true });
}
if (!existsSync(studio)) await cp('samples/studio', studio, { recursive: true });
// Written once: settings changed by hand in the browser survive the next run.
if (!existsSync(path.join(userDataDir, 'User', 'settings.json'))) {
  await harness.writeUserSettings(userDataDir, harness.userSettings(true));
}
if (options['preview-engines']) await usePreviewEngines();
await harness.installExtension(userDataDir, extensionsDir);

const logFile = path.join(harness.cacheDir, 'studio-profile', 'code-server.log');
const port = options.port !== undefined ? Number(options.port) : (await isFree(8080)) ? 8080 : 0;
const server = await harness.startCodeServer({ userDataDir, extensionsDir, folder: studio, port, logFile });
if (options['preview-engines']) console.log('Preview engines: ComfyUI is the test double (labelled "preview engine" wherever it shows).');
console.log(`StudioNOVA is running: open ${server.url} (studio: ${studio}, log: ${logFile}). Ctrl+C stops it.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await harness.stopProcessTree(server.pid);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.process.on('exit', (code) => {
  if (stopping) return;
  console.error(`code-server exited (${code}); see ${logFile}`);
  process.exit(1);
});

/**
 * Points the profile's ComfyUI settings at the test double in managed mode, with a models folder
 * holding (empty) files under the names the sample studio uses.
 */
async function usePreviewEngines() {
  const base = path.join(harness.cacheDir, 'preview-comfyui');
  for (const [folder, file] of [
    ['checkpoints', 'v1-5-pruned-emaonly.safetensors'],
    ['loras', 'spyke_plasma_v1.safetensors'],
  ]) {
    await mkdir(path.join(base, 'models', folder), { recursive: true });
    await writeFile(path.join(base, 'models', folder, file), '');
  }
  // ComfyUI refuses to start from a base directory without it.
  await mkdir(path.join(base, 'custom_nodes'), { recursive: true });
  // Executable paths are machine-scoped: code-server reads them from the remote machine's settings.
  const settingsFile = path.join(userDataDir, 'Machine', 'settings.json');
  const settings = existsSync(settingsFile) ? JSON.parse(await readFile(settingsFile, 'utf8')) : {};
  await mkdir(path.dirname(settingsFile), { recursive: true });
  Object.assign(settings, {
    'studionova.comfyui.mode': 'managed',
    'studionova.comfyui.folder': path.resolve('test/fakes/comfyui'),
    'studionova.comfyui.python': 'python3',
    'studionova.comfyui.extraArgs': ['--base-directory', base, '--cpu', '--fake-step-ms', '60', '--preview-method', 'auto'],
  });
  await writeFile(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
}

function isFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
