import * as vscode from 'vscode';
import { parseSettings, rawSettingsSchema, type SettingsResult } from '../core/settings/settings';
import type { DisposableLike } from '../core/util/disposable';
import { configSection } from '../shared/ids';

/** Reads the `studionova.*` settings once into a validated snapshot. */
export function readSettings(): SettingsResult {
  const section = vscode.workspace.getConfiguration(configSection);
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(rawSettingsSchema.def.shape)) raw[key] = section.get(key);
  return parseSettings(raw);
}

/** Calls `listener` with a fresh snapshot whenever a `studionova.*` setting changes. */
export function onDidChangeSettings(listener: (result: SettingsResult) => void): DisposableLike {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(configSection)) listener(readSettings());
  });
}
