import { type Envelope, readyCommand } from '../../src/shared/protocol/ipc';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Acquired once and kept private: the API must never be reachable from `window`. */
const vscodeApi = acquireVsCodeApi();

/** Tells the host this webview listens; the host holds notifications back until then. */
export function announceReady(): void {
  const message: Envelope = { v: 1, kind: 'cmd', method: readyCommand.method, params: {} };
  vscodeApi.postMessage(message);
}
