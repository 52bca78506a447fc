import { readyCommand } from '../../src/shared/protocol/ipc';
import { type HostClient, HostConnection } from './hostConnection';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Acquired once and kept private: the API must never be reachable from `window`. */
const vscodeApi = acquireVsCodeApi();

/** The one place a webview reports something odd; the console shows up in the webview developer tools. */
export function warn(message: string): void {
  // eslint-disable-next-line no-console
  console.warn(`[StudioNOVA] ${message}`);
}

const connection = new HostConnection((message) => vscodeApi.postMessage(message), warn);

// Installed when this module loads, before any panel code can call `announceReady`.
window.addEventListener('message', (event: MessageEvent<unknown>) => connection.receive(event.data));

/** Typed requests, commands and notifications of the panel's contract. */
export const host: HostClient = connection;

/** Tells the host this webview listens; the host holds notifications back until then. */
export function announceReady(): void {
  connection.command(readyCommand, {});
}

/** The state VS Code keeps for this webview while the panel lives, across hide/show; validate what comes back. */
export function getState(): unknown {
  return vscodeApi.getState();
}

export function setState(state: unknown): void {
  vscodeApi.setState(state);
}

/**
 * The JSON the host put in `<script type="application/json" id="bootstrap">`, not yet validated;
 * undefined when it is missing or not JSON.
 */
export function readBootstrap(): unknown {
  const text = document.getElementById('bootstrap')?.textContent;
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
