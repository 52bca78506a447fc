import * as vscode from 'vscode';
import type { GenerationJob } from '../../core/generation/generationJob';
import { type PanelJobState, panelJobState } from '../../core/generation/panelJobState';
import type { PanelBlock } from '../../core/prompts/parsedPromptFile';
import { chapterId } from '../../core/studio/layout';
import type { StudioIndex } from '../../core/studio/studioIndex';
import { DisposableStore } from '../../core/util/disposable';
import { CommandId } from '../../shared/ids';
import type { GenerationController } from '../generation/generationController';
import type { PromptFiles } from '../prompts/promptFiles';
import type { StudioSession } from '../studioSession';

/**
 * Lenses follow running jobs once a second. VS Code asks for lenses again only after a lull of
 * at least 250 ms in change events (longer on a busy machine), so progress events passed on
 * as they come, many a second, would hold the lens still until the job ends.
 */
const jobRedrawMs = 1000;

/**
 * Above each panel of a page: Generate · Generate ×4 · Versions (n), and while its latest
 * request runs, its state (queued, 63 %, done, failed). Above the file: Generate page. Only in
 * page files of the open studio. Arguments are plain: the document's URI and the panel number.
 */
export class PromptCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly changed = this.disposables.add(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly files: PromptFiles,
    private readonly session: StudioSession,
    private readonly controller: GenerationController,
  ) {
    this.disposables.add(files.onDidChangeContext(() => this.changed.fire()));
    this.disposables.add(session.onDidRefresh(() => this.changed.fire()));
    this.disposables.add(
      controller.onDidChangeJobs((job) => {
        if (job && job.request.target.kind !== 'page') return;
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.changed.fire();
        }, jobRedrawMs);
      }),
    );
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const studioPath = this.files.studioPath(document);
    if (!studioPath) return [];
    const parsed = this.files.parse(document, studioPath);
    if (parsed.panels.length === 0) return [];
    const index = await this.session.index().catch(() => undefined);
    const uri = document.uri.toString();
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [lens(top, '$(play) Generate page', CommandId.generatePage, [uri], `Generate every panel of this page (${parsed.panels.length})`)];
    for (const panel of parsed.panels) {
      const range = new vscode.Range(panel.headingLine, 0, panel.headingLine, 0);
      lenses.push(
        lens(range, '$(play) Generate', CommandId.generatePanel, [uri, panel.index, 1], `Generate ${panel.title}`),
        lens(range, 'Generate ×4', CommandId.generatePanel, [uri, panel.index, 4], 'Generate four images, each with a new seed'),
        lens(range, `Versions (${countVersions(index, panel)})`, CommandId.showVersions, [uri, panel.index], 'Pick a version to open, approve or re-run'),
      );
      const state = this.stateOf(panel);
      if (state) lenses.push(stateLens(range, state, uri, panel.index));
    }
    return lenses;
  }

  private stateOf(panel: PanelBlock): PanelJobState | undefined {
    const { chapter, page } = panel.params;
    if (chapter === undefined || page === undefined) return undefined;
    return panelJobState(this.controller.jobs, chapter, page, panel.index);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.disposables.dispose();
  }
}

function lens(range: vscode.Range, title: string, command: string, args: unknown[], tooltip: string): vscode.CodeLens {
  return new vscode.CodeLens(range, { title, command, arguments: args, tooltip });
}

/** The versions are the panel's raw images; approved copies are the same versions again. */
function countVersions(index: StudioIndex | undefined, panel: PanelBlock): number {
  const { chapter, page } = panel.params;
  if (!index || chapter === undefined || page === undefined) return 0;
  return index.assets.forPanel(chapterId(chapter), page, panel.index).filter((asset) => asset.stage === 'raw').length;
}

function stateLens(range: vscode.Range, state: PanelJobState, uri: string, panel: number): vscode.CodeLens {
  const of = state.total > 1 ? ` ${state.finished}/${state.total}` : '';
  switch (state.kind) {
    case 'queued':
      return lens(range, `$(clock) queued${of}`, CommandId.cancelPanelJobs, [uri, panel], 'Cancel');
    case 'running':
      return lens(range, `$(sync~spin) ${state.percent} %${of}`, CommandId.cancelPanelJobs, [uri, panel], 'Cancel');
    case 'failed':
      return lens(range, `$(error) failed${state.total > 1 ? ` ${state.failed}/${state.total}` : ''}`, CommandId.showLog, [], firstError(state.jobs));
    case 'cancelled':
      return lens(range, '$(circle-slash) cancelled', CommandId.showVersions, [uri, panel], 'Cancelled');
    case 'done':
      return lens(range, `$(check) done${of}`, CommandId.showVersions, [uri, panel], 'Pick a version to open');
  }
}

function firstError(jobs: readonly GenerationJob[]): string {
  return jobs.find((job) => job.error)?.error?.message ?? 'failed';
}
