import path from 'node:path';
import * as vscode from 'vscode';
import { isDocumentRole } from '../core/studio/documents';
import { classifyStudioPath } from '../core/studio/layout';
import type { Problem, Severity } from '../core/model/problem';
import { DisposableStore } from '../core/util/disposable';
import type { StudioSession } from './studioSession';

const severity: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Shows the index's problems in the Problems panel, one entry per problem on its file and line. */
export class ProblemsPublisher implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly collection = this.disposables.add(vscode.languages.createDiagnosticCollection('studionova'));

  constructor(private readonly session: StudioSession) {
    this.disposables.add(session.onDidRefresh(() => void this.publish()));
    this.disposables.add(
      session.onDidChangeState(() => {
        this.collection.clear();
        for (const document of vscode.workspace.textDocuments) this.openIndexFor(document);
      }),
    );
    // Someone editing a character file expects its problems, even with the sidebar closed.
    this.disposables.add(vscode.workspace.onDidOpenTextDocument((document) => this.openIndexFor(document)));
  }

  private openIndexFor(document: vscode.TextDocument): void {
    const root = this.session.root;
    if (!root || document.uri.scheme !== 'file') return;
    const studioPath = path.posix.relative(root.path, document.uri.path);
    const role = classifyStudioPath(studioPath);
    if (role && isDocumentRole(role)) void this.session.index().catch(() => undefined);
  }

  dispose(): void {
    this.disposables.dispose();
  }

  private async publish(): Promise<void> {
    const root = this.session.root;
    if (!root) return;
    const problems = (await this.session.index()).problems.list();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const problem of problems) {
      const list = byFile.get(problem.file) ?? [];
      list.push(toDiagnostic(problem));
      byFile.set(problem.file, list);
    }
    this.collection.clear();
    this.collection.set([...byFile].map(([file, diagnostics]) => [vscode.Uri.joinPath(root, file), diagnostics]));
  }
}

/** A problem as VS Code shows it, with StudioNOVA as its source. */
export function toDiagnostic(problem: Problem): vscode.Diagnostic {
  const { startLine, startColumn, endLine, endColumn } = problem.range;
  const diagnostic = new vscode.Diagnostic(new vscode.Range(startLine, startColumn, endLine, endColumn), problem.message, severity[problem.severity]);
  diagnostic.source = 'StudioNOVA';
  diagnostic.code = problem.code;
  return diagnostic;
}
