import * as vscode from 'vscode';
import { datasetReportMarkdown } from '../../core/datasets/datasetReport';
import type { DatasetCheck } from '../../core/datasets/validateDataset';
import type { Problem } from '../../core/model/problem';
import { Emitter } from '../../core/util/emitter';
import { toDiagnostic } from '../problemsPublisher';

const scheme = 'studionova-dataset-report';

/**
 * Where a dataset check lands: its findings in the Problems panel, on the files they concern,
 * and its summary as a read-only markdown document in the editor.
 */
export class DatasetReports implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('studionova-datasets');
  private readonly reports = new Map<string, string>();
  private readonly changed = new Emitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);
  /** The files each dataset's last check put problems on, so the next check can clear them. */
  private readonly filesByDataset = new Map<string, vscode.Uri[]>();
  private readonly findings = new Map<string, readonly Problem[]>();
  private readonly checked = new Emitter<string>();
  /** Fires with a dataset's id after it was checked. */
  readonly onDidCheck = this.checked.event;

  /** What the dataset's last check found; nothing before its first check. */
  findingsOf(datasetId: string): readonly Problem[] {
    return this.findings.get(datasetId) ?? [];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.reports.get(uri.path) ?? '';
  }

  /** Replaces the dataset's findings and shows its summary beside the editor. */
  async show(root: vscode.Uri, datasetId: string, check: DatasetCheck): Promise<void> {
    for (const uri of this.filesByDataset.get(datasetId) ?? []) this.diagnostics.delete(uri);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const problem of check.problems) byFile.set(problem.file, [...(byFile.get(problem.file) ?? []), toDiagnostic(problem)]);
    const files = [...byFile.keys()].map((file) => vscode.Uri.joinPath(root, file));
    for (const [file, diagnostics] of byFile) this.diagnostics.set(vscode.Uri.joinPath(root, file), diagnostics);
    this.filesByDataset.set(datasetId, files);
    this.findings.set(datasetId, check.problems);
    this.checked.fire(datasetId);

    const uri = vscode.Uri.from({ scheme, path: `/${datasetId}.md` });
    this.reports.set(uri.path, datasetReportMarkdown(datasetId, check));
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'markdown');
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  dispose(): void {
    this.registration.dispose();
    this.diagnostics.dispose();
    this.changed.dispose();
    this.checked.dispose();
  }
}
