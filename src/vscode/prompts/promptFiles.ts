import path from 'node:path';
import * as vscode from 'vscode';
import { ComfyClient } from '../../core/comfy/comfyClient';
import type { ComfyEngine } from '../../core/comfy/comfyEngine';
import { engineListsFrom } from '../../core/comfy/engineLists';
import { diagnosePromptFile } from '../../core/prompts/diagnosePromptFile';
import type { ParsedPromptFile } from '../../core/prompts/parsedPromptFile';
import { parsePromptFile } from '../../core/prompts/parsePromptFile';
import { studioPromptContext } from '../../core/prompts/studioPromptContext';
import type { PromptContext, PromptDiagnostic } from '../../core/prompts/promptDiagnostic';
import { hardwareProfile } from '../../core/settings/hardware';
import type { Settings } from '../../core/settings/settings';
import { classifyStudioPath } from '../../core/studio/layout';
import { DisposableStore } from '../../core/util/disposable';
import { Emitter } from '../../core/util/emitter';
import type { Logger } from '../../core/util/logger';
import type { StudioSession } from '../studioSession';

/** The markdown files lenses, checks and completions are offered in; the studio check comes on top. */
export const pageFileSelector: vscode.DocumentSelector = { language: 'markdown', scheme: 'file', pattern: '**/chapters/*/p*.page.md' };

/**
 * Prompt files as the editor sees them: which documents are pages of the open studio, their
 * parse cached per document version, and the context they are checked against (characters,
 * hardware profile, templates, and ComfyUI's lists, live or as last remembered in the index).
 * Providers ask here, so one keystroke costs one parse whatever asks for it.
 */
export class PromptFiles implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly changed = this.disposables.add(new Emitter<void>());
  /** The context changed: characters, settings, templates or ComfyUI's lists. */
  readonly onDidChangeContext = this.changed.event;
  private readonly parses = new Map<string, { version: number; parsed: ParsedPromptFile }>();
  private readonly diagnoses = new Map<string, { version: number; generation: number; diagnostics: PromptDiagnostic[] }>();
  private contextPromise: Promise<PromptContext | undefined> | undefined;
  /** Bumped whenever the context changes, so cached diagnoses of an older context are redone. */
  private generation = 0;
  private listsFetchedFor: string | undefined;

  constructor(
    private readonly session: StudioSession,
    engine: ComfyEngine,
    private readonly settings: () => Settings,
    private readonly builtinWorkflows: string,
    private readonly logger: Logger,
  ) {
    this.disposables.add(session.onDidRefresh(() => this.invalidate()));
    this.disposables.add(session.onDidChangeState(() => this.invalidate()));
    this.disposables.add(
      engine.onDidChangeState((state) => {
        if (state.kind === 'ready') void this.fetchLists(state.url);
      }),
    );
    this.disposables.add(
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.parses.delete(document.uri.toString());
        this.diagnoses.delete(document.uri.toString());
      }),
    );
  }

  /** The document's studio-relative path when it is a page of the open studio; else undefined. */
  studioPath(document: vscode.TextDocument): string | undefined {
    const root = this.session.root;
    if (!root || document.uri.scheme !== 'file') return undefined;
    const relative = path.posix.relative(root.path, document.uri.path);
    if (relative.startsWith('..')) return undefined;
    return classifyStudioPath(relative)?.role === 'page' ? relative : undefined;
  }

  /** The parse of the document's current text; the same object until the document changes. */
  parse(document: vscode.TextDocument, studioPath: string): ParsedPromptFile {
    const key = document.uri.toString();
    const cached = this.parses.get(key);
    if (cached && cached.version === document.version) return cached.parsed;
    const parsed = parsePromptFile(studioPath, document.getText());
    this.parses.set(key, { version: document.version, parsed });
    return parsed;
  }

  /** Every problem of the document, with quick fixes; undefined when it is not a page of the studio. */
  async diagnose(document: vscode.TextDocument): Promise<PromptDiagnostic[] | undefined> {
    const studioPath = this.studioPath(document);
    if (!studioPath) return undefined;
    const key = document.uri.toString();
    const generation = this.generation;
    const cached = this.diagnoses.get(key);
    if (cached && cached.version === document.version && cached.generation === generation) return cached.diagnostics;
    const version = document.version;
    const context = await this.context();
    const parsed = this.parse(document, studioPath);
    const diagnostics = context ? diagnosePromptFile(parsed, context) : [...parsed.problems];
    if (generation === this.generation) this.diagnoses.set(key, { version, generation, diagnostics });
    return diagnostics;
  }

  /** The cached diagnosis of this version, if it was made: quick fixes must match what is shown. */
  diagnosisOf(document: vscode.TextDocument): PromptDiagnostic[] | undefined {
    const cached = this.diagnoses.get(document.uri.toString());
    return cached && cached.version === document.version ? cached.diagnostics : undefined;
  }

  /** What prompt files are checked against; undefined while no studio index is open. */
  context(): Promise<PromptContext | undefined> {
    this.contextPromise ??= this.buildContext().catch((error: unknown) => {
      this.logger.warn(`Prompt files are checked without the studio: ${String(error)}`);
      this.contextPromise = undefined;
      return undefined;
    });
    return this.contextPromise;
  }

  /** Settings changed (hardware profile): everything is checked again. */
  invalidate(): void {
    this.generation++;
    this.contextPromise = undefined;
    this.changed.fire();
  }

  dispose(): void {
    this.disposables.dispose();
  }

  private async buildContext(): Promise<PromptContext | undefined> {
    if (!this.session.root) return undefined;
    const index = await this.session.index();
    const { hardware } = this.settings();
    return studioPromptContext(index, hardwareProfile(hardware.profile, hardware.limits), index.engineLists(), this.builtinWorkflows);
  }

  /** ComfyUI is up: its lists are read once per address and remembered for when it is down. */
  private async fetchLists(url: string): Promise<void> {
    if (this.listsFetchedFor === url || !this.session.root) return;
    this.listsFetchedFor = url;
    try {
      const lists = engineListsFrom(await new ComfyClient(url).objectInfo());
      (await this.session.index()).rememberEngineLists(lists);
      this.logger.info(`ComfyUI offers ${lists.samplers.length} samplers, ${lists.schedulers.length} schedulers, ${lists.checkpoints.length} checkpoints, ${lists.loras.length} LoRAs.`);
      this.invalidate();
    } catch (error) {
      this.listsFetchedFor = undefined;
      this.logger.warn(`Could not read ComfyUI's lists: ${String(error)}`);
    }
  }
}
