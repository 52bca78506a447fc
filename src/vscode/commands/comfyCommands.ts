import * as vscode from 'vscode';
import type { ComfyEngine } from '../../core/comfy/comfyEngine';

/** Start (managed) or connect (connected), with the start-up phases in a progress notification. */
export async function startComfy(engine: ComfyEngine): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: engine.mode === 'managed' ? 'Starting ComfyUI' : 'Connecting to ComfyUI', cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const subscription = engine.onDidChangeState((state) => {
        if (state.kind === 'starting') progress.report({ message: state.phase });
      });
      try {
        await engine.start(abort.signal);
      } finally {
        subscription.dispose();
      }
    },
  );
}

export async function restartComfy(engine: ComfyEngine): Promise<void> {
  await engine.stop();
  await startComfy(engine);
}
