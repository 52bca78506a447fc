import * as vscode from 'vscode';
import { DisposableStore } from '../../core/util/disposable';
import type { Logger } from '../../core/util/logger';
import { toDiagnostic } from '../problemsPublisher';
import type { PromptFiles } from './promptFiles';

/** Typing pauses this long before a page is checked again: the check never runs on the keystroke. */
const checkDelayMs = 150;

/**
 * Problems of open prompt files, as they are typed: each change schedules one check of the
 * document after a short pause, and a changed context (a character added, ComfyUI's lists,
 * the hardware profile) checks every open page again. Closing a page clears its problems.
 */
export class PromptDiagnostics implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly collection = this.disposables.add(vscode.languages.createDiagnosticCollection('studionova.prompts'));
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly files: PromptFiles,
    private readonly logger: Logger,
  ) {
    this.disposables.add(vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document, 0)));
    this.disposables.add(vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document, checkDelayMs)));
    this.disposables.add(
      vscode.workspace.onDidCloseTextDocument((document) => {
        clearTimeout(this.timers.get(document.uri.toString()));
        this.timers.delete(document.uri.toString());
        this.collection.delete(document.uri);
      }),
    );
    this.disposables.add(files.onDidChangeContext(() => this.checkOpenDocuments()));
    this.checkOpenDocuments();
  }

  private checkOpenDocuments(): void {
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (!document.uri.path.endsWith('.page.md')) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.check(document);
      }, delayMs),
    );
  }

  private async check(document: vscode.TextDocument): Promise<void> {
    try {
      const version = document.version;
      const diagnostics = await this.files.diagnose(document);
      // A newer version is already scheduled; a closed document keeps no problems.
      if (document.isClosed || document.version !== version) return;
      if (!diagnostics) this.collection.delete(document.uri);
      else this.collection.set(document.uri, diagnostics.map(toDiagnostic));
    } catch (error) {
      this.logger.error(error instanceof Error ? error : String(error));
    }
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.disposables.dispose();
  }
}


/**
 * Quick fixes for the problems that have an obvious one (clamp a size, the closest sampler
 * name): the edit comes from the same diagnosis the Problems panel shows.
 */
export class PromptCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly files: PromptFiles) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const diagnosis = this.files.diagnosisOf(document);
    if (!diagnosis) return [];
    const actions: vscode.CodeAction[] = [];
    for (const shown of context.diagnostics) {
      const problem = diagnosis.find((p) => p.fix && p.code === shown.code && p.range.startLine === shown.range.start.line && p.range.startColumn === shown.range.start.character);
      const fix = problem?.fix;
      if (!fix) continue;
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(document.uri, new vscode.Range(fix.line, fix.startColumn, fix.line, fix.endColumn), fix.text);
      action.diagnostics = [shown];
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }
}
