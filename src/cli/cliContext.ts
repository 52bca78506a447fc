import path from 'node:path';
import { hardwareProfile, hardwarePresets, type HardwareLimits, type HardwarePresetId } from '../core/settings/hardware';
import { defaultSettings } from '../core/settings/settings';
import { studioFile } from '../core/studio/layout';
import { StudioIndex } from '../core/studio/studioIndex';
import { pathExists } from '../core/util/files';
import type { Logger } from '../core/util/logger';

/** Thrown for a command line that cannot run as given: printed as is, exit code 2. */
export class UsageError extends Error {}

/** sql.js's wasm and the shipped workflow templates sit beside the bundle (dist/) and above it. */
export const wasmPath = path.join(__dirname, 'sql-wasm.wasm');
export const builtinWorkflows = path.join(__dirname, '..', 'workflows');

export const stderrLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
  error: (message) => process.stderr.write(`error: ${message instanceof Error ? message.message : message}\n`),
};

export async function openStudio(folder: string | undefined, persist: boolean): Promise<StudioIndex> {
  if (!folder) throw new UsageError('Name the studio folder, e.g. --studio .');
  const root = path.resolve(folder);
  if (!(await pathExists(path.join(root, studioFile)))) throw new UsageError(`${root} is not a studio: it has no ${studioFile}.`);
  return StudioIndex.open({ root, wasmPath, logger: stderrLogger, persist });
}

/** The nearest folder at or above `folder` that holds studio.json. */
export async function studioAbove(folder: string): Promise<string | undefined> {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    if (await pathExists(path.join(dir, studioFile))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export type HardwareOption = { readonly limits: HardwareLimits; readonly label: string };

/** `--profile`, or the editor's default: sizes are checked against the same limits in both. */
export function hardwareOption(profile: string | undefined): HardwareOption {
  const id = (profile ?? defaultSettings.hardware.profile) as HardwarePresetId;
  const preset = hardwarePresets[id];
  if (!preset) throw new UsageError(`Unknown --profile ${profile}; one of ${Object.keys(hardwarePresets).join(', ')}.`);
  return hardwareProfile(id, preset.limits);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
