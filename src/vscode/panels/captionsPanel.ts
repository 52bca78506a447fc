import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { CaptionRecord, CaptionSaveReport, CaptionStore } from '../../core/captions/captionStore';
import { defaultCaptionTemplate } from '../../core/ollama/captionPrompt';
import type { Settings } from '../../core/settings/settings';
import type { ThumbnailCache, ThumbnailResult, ThumbnailSource } from '../../core/gallery/thumbnailCache';
import { InvalidInputError } from '../../core/util/errors';
import type { Logger } from '../../core/util/logger';
import { applyCaptionEdits, type CaptionChange, type CaptionEdit, type CaptionSelection } from '../../shared/captions/captionEdits';
import { CaptionHistory } from '../../shared/captions/captionHistory';
import { countTags } from '../../shared/captions/tagFrequency';
import { type CaptionChangeResult, type CaptionConflictInfo, type CaptionRow, type CaptionsBootstrap, captionsProtocol } from '../../shared/protocol/captions';
import { AutoCaptionRunner } from './autoCaptionRunner';
import { type Handler, onCommand, onRequest, PanelHost } from './panelHost';

export interface CaptionsServices {
  readonly logger: Logger;
  readonly extensionUri: vscode.Uri;
  /** Auto-caption asks Ollama at `ollama.url`, read at each use. */
  readonly settings: () => Settings;
}

export interface CaptionsDataset {
  readonly id: string;
  readonly trigger: string | undefined;
  /** The class word of the dataset's character (`woman`): Auto-caption's `{class}`. */
  readonly class: string | undefined;
  /** The dataset folder, absolute. */
  readonly folder: string;
  /** The studio's root, absolute: thumbnails are keyed by studio-relative paths. */
  readonly root: string;
}

/** Thumbnails made within this time reach the webview in one message. */
const thumbBatchMs = 40;

/**
 * The caption editor of one dataset. The files are the truth: every change the webview asks for
 * is applied to the CaptionStore's texts and saved at once, atomically; the store refuses to write
 * over a caption changed on disk meanwhile and the conflict goes to the webview to settle. Changes
 * made outside (another editor, git) arrive through a file watcher. Undo and redo replay the
 * CaptionHistory over the texts on disk, so they never undo what someone else wrote.
 */
export class CaptionsPanel extends PanelHost {
  private readonly history = new CaptionHistory();
  /** The editor's text of each caption whose save met a change on disk, until the user settles it. */
  private readonly conflicts = new Map<string, CaptionConflictInfo>();
  /** Requests run one after another: each edit starts from what the one before it saved. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pendingThumbs: Array<{ id: string; uri: string | null }> = [];
  private thumbTimer: NodeJS.Timeout | undefined;
  private readonly autoCaption: AutoCaptionRunner;

  constructor(
    panel: vscode.WebviewPanel,
    private readonly services: CaptionsServices,
    readonly dataset: CaptionsDataset,
    private readonly store: CaptionStore,
    private readonly thumbs: ThumbnailCache,
  ) {
    super(panel, {
      extensionUri: services.extensionUri,
      entry: 'captions',
      title: `Captions: ${dataset.id}`,
      logger: services.logger,
      resourceRoots: [vscode.Uri.file(thumbs.folder), vscode.Uri.file(dataset.folder)],
    });
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'studionova.svg');
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dataset.folder), '*.txt'));
    const changed = (uri: vscode.Uri): void => void this.serial(() => this.fileChanged(uri.fsPath));
    this.disposables.add(watcher);
    this.disposables.add(watcher.onDidChange(changed));
    this.disposables.add(watcher.onDidCreate(changed));
    this.disposables.add(watcher.onDidDelete(changed));
    this.disposables.add(thumbs.onDidMake((result) => this.thumbMade(result)));
    this.disposables.add({ dispose: () => clearTimeout(this.thumbTimer) });
    this.autoCaption = new AutoCaptionRunner({
      logger: services.logger,
      store,
      dataset: { id: dataset.id, folder: dataset.folder, trigger: dataset.trigger ?? '', class: this.captionClass },
      ollamaUrl: () => services.settings().ollama.url,
      saveCaption: (id, before, after) => this.serial(() => this.saveAutoCaption(id, before, after)),
      recordStep: (changes) =>
        this.serial(async () => {
          this.history.record(new Map(changes));
          return this.historyState();
        }),
      progress: (done, total, current) => this.notify(captionsProtocol.autoCaptionProgress, { done, total, current }),
      text: (id, text) => this.notify(captionsProtocol.autoCaptionText, { id, text }),
      finished: (result) => this.notify(captionsProtocol.autoCaptionFinished, result),
    });
    this.disposables.add(this.autoCaption);
    this.render();
  }

  protected handlers(): Handler[] {
    return [
      onRequest(captionsProtocol.setCaption, ({ id, text }) => this.serial(() => this.applyEdits([{ kind: 'setCaption', text }], [this.known(id)]))),
      onRequest(captionsProtocol.apply, ({ edits, selection }) => this.serial(() => this.applyEdits(edits, selection === 'all' ? 'all' : selection.map((id) => this.known(id))))),
      onRequest(captionsProtocol.undo, () => this.serial(() => this.replay('undo'))),
      onRequest(captionsProtocol.redo, () => this.serial(() => this.replay('redo'))),
      onRequest(captionsProtocol.resolve, ({ id, keep }) => this.serial(() => this.resolve(this.known(id), keep))),
      onCommand(captionsProtocol.wantThumbs, ({ ids }) => void this.wantThumbs(ids)),
      onRequest(captionsProtocol.listVisionModels, () => this.autoCaption.listModels()),
      onRequest(captionsProtocol.startAutoCaption, ({ model, template, scope }) => {
        this.requireTrust();
        return this.autoCaption.start(model, template, scope);
      }),
      onCommand(captionsProtocol.cancelAutoCaption, () => this.autoCaption.cancel()),
    ];
  }

  protected bootstrap(): CaptionsBootstrap {
    const records = this.store.list();
    return {
      datasetId: this.dataset.id,
      trigger: this.dataset.trigger ?? null,
      rows: records.map((record) => this.row(record)),
      tags: countTags(records.map((record) => record.text)),
      conflicts: [...this.conflicts.values()],
      history: this.historyState(),
      readOnly: !vscode.workspace.isTrusted,
      autoCaption: { template: defaultCaptionTemplate, class: this.captionClass },
    };
  }

  /** `{class}` of the caption prompt; a dataset without a character's class is captioned as a character. */
  private get captionClass(): string {
    return this.dataset.class?.trim() || 'character';
  }

  /** An id from the webview, checked against the store: the only captions it may name. */
  private known(id: string): string {
    if (!this.store.get(id)) throw new InvalidInputError(`${id} is not an image of dataset ${this.dataset.id}.`);
    return id;
  }

  private async applyEdits(edits: readonly CaptionEdit[], selection: CaptionSelection): Promise<CaptionChangeResult> {
    this.requireTrust();
    const result = applyCaptionEdits(this.store.texts(), edits, selection);
    if (!result.ok) return { ...this.emptyResult(), error: result.error };
    return this.save(result.changes, 0);
  }

  private async replay(direction: 'undo' | 'redo'): Promise<CaptionChangeResult> {
    this.requireTrust();
    const current = this.store.texts();
    const move = direction === 'undo' ? this.history.undo(current) : this.history.redo(current);
    if (!move) return this.emptyResult();
    // The step stays where the history put it: saving it again must not record a new step.
    return this.save(move.changes, move.skipped.length, false);
  }

  private async resolve(id: string, keep: 'mine' | 'theirs'): Promise<CaptionChangeResult> {
    this.requireTrust();
    const conflict = this.conflicts.get(id);
    // Reloading without an unsaved text takes in the disk's version; a save after it writes over it, now seen.
    await this.store.reload(id);
    this.conflicts.delete(id);
    if (keep === 'theirs' || !conflict) return { ...this.emptyResult(), rows: this.rows([id]) };
    const theirs = this.store.get(id)?.text ?? '';
    return this.save(new Map([[id, { before: theirs, after: conflict.mine }]]), 0);
  }

  /** Saves the changes' `after` texts, records what was written as one undo step, and reports. */
  private async save(changes: ReadonlyMap<string, CaptionChange>, skipped: number, record = true): Promise<CaptionChangeResult> {
    const report: CaptionSaveReport = await this.store.save(new Map([...changes].map(([id, change]) => [id, change.after])));
    if (record) this.history.record(new Map(report.saved.flatMap((id) => (changes.has(id) ? [[id, changes.get(id)!] as const] : []))));
    const conflicts = report.conflicts.map((conflict) => ({ id: conflict.id, mine: conflict.mine, theirs: conflict.theirs ?? null }));
    for (const conflict of conflicts) this.conflicts.set(conflict.id, conflict);
    for (const failure of report.failed) this.services.logger.warn(`Captions of ${this.dataset.id}: ${failure.id} was not saved: ${failure.message}`);
    return {
      rows: this.rows([...changes.keys()]),
      saved: report.saved.filter((id) => changes.has(id)).length,
      conflicts,
      failed: [...report.failed],
      skipped,
      error: null,
      history: this.historyState(),
    };
  }

  /**
   * Saves a caption Auto-caption finished, unless the caption changed since the run read it (an
   * edit meanwhile is the user's and wins). Not a history step of its own: the run records one.
   */
  private async saveAutoCaption(id: string, before: string, after: string): Promise<string | undefined> {
    const record = this.store.get(id);
    if (!record) return `${id} is no longer an image of this dataset.`;
    if (record.text !== before || this.conflicts.has(id)) return `${id} was captioned meanwhile; that caption was kept.`;
    const report = await this.store.save(new Map([[id, after]]));
    const conflict = report.conflicts[0];
    if (conflict) return `${id}.txt changed on disk meanwhile; it was left as it is.`;
    const failure = report.failed[0];
    if (failure) return failure.message;
    this.notify(captionsProtocol.rowsChanged, { rows: this.rows([id]), history: this.historyState() });
    return undefined;
  }

  /** A caption file changed on disk: take it in, or report a conflict with the text we could not save. */
  private async fileChanged(file: string): Promise<void> {
    const unsaved = new Map([...this.conflicts.values()].map((conflict) => [conflict.id, conflict.mine]));
    const check = await this.store.fileChanged(file, unsaved);
    if (check.kind === 'taken') {
      this.conflicts.delete(check.record.id);
      this.notify(captionsProtocol.rowsChanged, { rows: [this.row(check.record)], history: this.historyState() });
    } else if (check.kind === 'conflict') {
      const conflict = { id: check.id, mine: check.mine, theirs: check.theirs ?? null };
      this.conflicts.set(check.id, conflict);
      this.notify(captionsProtocol.conflicts, { conflicts: [conflict] });
    }
  }

  private requireTrust(): void {
    if (!vscode.workspace.isTrusted) throw new InvalidInputError('This folder is not trusted: captions are read-only here. Trust the folder to edit them.');
  }

  private emptyResult(): CaptionChangeResult {
    return { rows: [], saved: 0, conflicts: [], failed: [], skipped: 0, error: null, history: this.historyState() };
  }

  private historyState(): { canUndo: boolean; canRedo: boolean } {
    return { canUndo: this.history.canUndo, canRedo: this.history.canRedo };
  }

  private rows(ids: readonly string[]): CaptionRow[] {
    return ids.flatMap((id) => {
      const record = this.store.get(id);
      return record ? [this.row(record)] : [];
    });
  }

  private row(record: CaptionRecord): CaptionRow {
    const imageFile = path.join(this.dataset.folder, record.image);
    return {
      id: record.id,
      name: record.image,
      image: this.panel.webview.asWebviewUri(vscode.Uri.file(imageFile)).toString(),
      // Thumbnails come with `captions/thumbs/want`, for the rows on screen: a stat per image is not paid for 2,000 rows up front.
      thumb: null,
      text: record.text,
      missing: record.missing,
      notUtf8: record.notUtf8,
    };
  }

  /** Thumbnails are keyed by the image's studio path, size and time: the gallery's own scheme, so they are shared. */
  private sourceOf(file: string, stats: { size: number; mtimeMs: number }): ThumbnailSource {
    return { path: path.relative(this.dataset.root, file).split(path.sep).join('/'), file, size: stats.size, mtimeMs: stats.mtimeMs };
  }

  private async wantThumbs(ids: readonly string[]): Promise<void> {
    const sources: ThumbnailSource[] = [];
    for (const id of ids) {
      const record = this.store.get(id);
      if (!record) continue;
      const file = path.join(this.dataset.folder, record.image);
      try {
        const stats = await stat(file);
        const source = this.sourceOf(file, stats);
        const cached = this.thumbs.cachedFile(source);
        if (cached) this.thumbMade({ path: source.path, file: cached });
        else sources.push(source);
      } catch {
        // Gone meanwhile: the row shows its image link, which fails quietly.
      }
    }
    this.thumbs.want(sources);
  }

  private thumbMade(result: ThumbnailResult): void {
    const id = this.idOfImagePath(result.path);
    if (id === undefined) return;
    this.pendingThumbs.push({ id, uri: 'file' in result ? this.panel.webview.asWebviewUri(vscode.Uri.file(result.file)).toString() : null });
    this.thumbTimer ??= setTimeout(() => {
      this.thumbTimer = undefined;
      this.notify(captionsProtocol.thumbsReady, { thumbs: this.pendingThumbs.splice(0) });
    }, thumbBatchMs);
  }

  private idOfImagePath(imagePath: string): string | undefined {
    const file = path.resolve(this.dataset.root, imagePath);
    if (path.dirname(file) !== path.resolve(this.dataset.folder)) return undefined;
    const name = path.basename(file);
    const id = name.slice(0, name.lastIndexOf('.'));
    return this.store.get(id)?.image === name ? id : undefined;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
