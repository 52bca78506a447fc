import * as vscode from 'vscode';
import type { ComfyEngine } from '../../core/comfy/comfyEngine';
import { DisposableStore } from '../../core/util/disposable';
import { tildify } from '../log';

/** The "ComfyUI" output channel: the managed process's own output, home folder shown as `~`. */
export class ComfyLog implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  readonly channel = this.disposables.add(vscode.window.createOutputChannel('ComfyUI', { log: true }));

  constructor(engine: ComfyEngine) {
    this.disposables.add(
      engine.onLog(({ stream, line: text, progress }) => {
        // Progress-bar redraws would flood the channel; the finished bar still comes as a line.
        if (progress) return;
        const line = tildify(text);
        if (stream === 'stderr' && /\b(error|traceback|exception)\b/i.test(line)) this.channel.error(line);
        else this.channel.info(line);
      }),
    );
    this.disposables.add(
      engine.onDidChangeState((state) => {
        if (state.kind === 'crashed') this.channel.error(`ComfyUI crashed: ${tildify(state.reason)}`);
        if (state.kind === 'unreachable') this.channel.warn(tildify(state.reason));
      }),
    );
  }

  dispose(): void {
    this.disposables.dispose();
  }
}
