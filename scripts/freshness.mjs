// Rebuilds what the end-to-end tests and `npm run studio` use only when its sources are newer,
// so that `npm test` (which has just built both) does not build them twice.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const vsixPath = 'out/studionova.vsix';
/**
 * Everything that goes into the VSIX, or decides what does. The packages it carries from
 * node_modules (sharp and its dependencies) change only with package-lock.json.
 */
export const vsixSources = ['src', 'webview', 'media', 'workflows', 'package.json', 'package-lock.json', 'esbuild.mjs', '.vscodeignore', 'README.md', 'LICENSE'];

/** Packages out/studionova.vsix when anything that goes into it changed. */
export function ensureVsix() {
  rebuild([vsixPath], vsixSources, ['npm', 'run', 'package']);
}

/** True when an output is missing or older than one of its sources. */
export function isStale(outputs, sources) {
  return newestMtime(outputs) < newestMtime(sources);
}

/** Bundles test/e2e/**.test.ts into out/test/e2e/ when a test or the harness changed. */
export function ensureTestBundles() {
  rebuild(['out/test/e2e'], ['test/e2e', 'esbuild.mjs'], ['node', 'esbuild.mjs', '--tests']);
}

function rebuild(outputs, sources, command) {
  if (!isStale(outputs, sources)) return;
  console.log(`> ${command.join(' ')}`);
  const { status } = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}

/** Newest modification time of the files under the given paths; 0 when none exist. */
function newestMtime(paths) {
  let newest = 0;
  for (const entry of paths) {
    if (!existsSync(entry)) continue;
    const files = statSync(entry).isDirectory()
      ? readdirSync(entry, { recursive: true, withFileTypes: true })
          .filter((dirent) => dirent.isFile())
          .map((dirent) => path.join(dirent.parentPath, dirent.name))
      : [entry];
    for (const file of files) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}
