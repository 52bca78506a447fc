import * as vscode from 'vscode';
import type { ComfyEngine, ComfyEngineState } from '../../core/comfy/comfyEngine';
import { describeDevice, describeVersions } from '../../core/comfy/systemStatsSummary';
import { DisposableStore } from '../../core/util/disposable';
import { CommandId } from '../../shared/ids';

/**
 * ComfyUI's status bar item, after rust-analyzer's: a spinner while starting, plain when ready
 * (with the GPU and its free memory), a warning colour when unhealthy or unreachable, an error
 * colour when crashed. Clicking starts or connects, or shows the log once it runs.
 */
export class ComfyStatusBar implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly item = this.disposables.add(vscode.window.createStatusBarItem('studionova.comfyui', vscode.StatusBarAlignment.Left, 10));

  /** Set for the test double started by `npm run studio -- --preview-engines`. */
  private previewLabel: string | undefined;

  constructor(private readonly engine: ComfyEngine) {
    this.item.name = 'ComfyUI';
    this.disposables.add(engine.onDidChangeState((state) => this.render(state)));
    this.render(engine.state);
    this.item.show();
  }

  setPreviewLabel(label: string | undefined): void {
    this.previewLabel = label;
    this.render(this.engine.state);
  }

  dispose(): void {
    this.disposables.dispose();
  }

  private render(state: ComfyEngineState): void {
    const preview = this.previewLabel;
    const name = preview ? `ComfyUI (${preview})` : 'ComfyUI';
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = { enabledCommands: [CommandId.startComfy, CommandId.showComfyLog, CommandId.openEngineSettings] };
    this.item.backgroundColor = undefined;
    this.item.command = CommandId.startComfy;
    switch (state.kind) {
      case 'idle':
        this.item.text = `$(circle-outline) ${name}`;
        tooltip.appendMarkdown(`**${name}** is not connected yet.\n\n[Connect or start](command:${CommandId.startComfy})`);
        break;
      case 'starting':
        this.item.text = `$(sync~spin) ${name}: ${state.phase}`;
        tooltip.appendMarkdown(`**${name}** is starting: ${state.phase}.\n\n[Show log](command:${CommandId.showComfyLog})`);
        this.item.command = CommandId.showComfyLog;
        break;
      case 'ready': {
        const device = describeDevice(state.stats);
        const vram = device.freeVramGb === undefined ? '' : ` ${device.freeVramGb} GB free`;
        this.item.text = `$(check) ${name} · ${device.name}${vram}`;
        tooltip.appendMarkdown(`**${name}** is ready at ${state.url}\n\n`);
        for (const [what, version] of describeVersions(state.stats)) tooltip.appendMarkdown(`${what} ${version}  \n`);
        tooltip.appendMarkdown(`\n[Show log](command:${CommandId.showComfyLog})`);
        this.item.command = CommandId.showComfyLog;
        break;
      }
      case 'unhealthy':
        this.item.text = `$(warning) ${name}: not answering`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        tooltip.appendText(`${name} at ${state.url} stopped answering: ${state.reason}`);
        tooltip.appendMarkdown(`\n\n[Show log](command:${CommandId.showComfyLog})`);
        this.item.command = CommandId.showComfyLog;
        break;
      case 'unreachable':
        this.item.text = `$(debug-disconnect) ${name}: not reachable`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        tooltip.appendText(state.reason);
        tooltip.appendMarkdown(`\n\n[Try again](command:${CommandId.startComfy}) · [Settings](command:${CommandId.openEngineSettings})`);
        break;
      case 'crashed':
        this.item.text = `$(error) ${name}: crashed`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        tooltip.appendText(state.reason);
        tooltip.appendMarkdown(`\n\n[Show log](command:${CommandId.showComfyLog}) · [Start again](command:${CommandId.startComfy})`);
        this.item.command = CommandId.showComfyLog;
        break;
      case 'stopped':
        this.item.text = `$(circle-slash) ${name}: stopped`;
        tooltip.appendMarkdown(`**${name}** is stopped.\n\n[Start](command:${CommandId.startComfy})`);
        break;
    }
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: this.item.text.replace(/\$\([^)]*\)\s*/g, '') };
  }
}
