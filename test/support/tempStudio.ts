import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../../src/core/util/logger';

/** Tests run from the repository root (npm scripts do), so paths are relative to it. */
export const repoRoot = process.cwd();
export const sampleStudio = path.join(repoRoot, 'samples', 'studio');
export const wasmPath = path.join(repoRoot, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
export const cliPath = path.join(repoRoot, 'dist', 'cli.js');

/** A fresh folder for one test, removed afterwards by the returned cleanup. */
export async function tempFolder(prefix = 'studionova-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A copy of the sample studio, so tests never change the repository. */
export async function copyOfSampleStudio(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const folder = await tempFolder();
  await cp(sampleStudio, folder.dir, { recursive: true, filter: (source) => !source.includes(`${path.sep}.studio`) });
  return folder;
}

/** A logger that remembers what was said, for tests that check a line was logged. */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string | Error) => void lines.push(`${level}: ${message instanceof Error ? message.message : message}`);
  return { lines, trace: record('trace'), debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

/** Runs `test` in a fresh folder that is removed afterwards, whatever happens. */
export async function withTempFolder(test: (dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempFolder();
  try {
    await test(dir);
  } finally {
    await cleanup();
  }
}

/** Runs `test` on a fresh copy of the sample studio. */
export async function withSampleStudio(test: (root: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await copyOfSampleStudio();
  try {
    await test(dir);
  } finally {
    await cleanup();
  }
}
