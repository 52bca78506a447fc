import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { recallAutoCaption, rememberAutoCaption } from '../../core/captions/autoCaptionMemory';
import { type CaptionChangeAnswer, CaptionEditSession, type CaptionSaveFinished } from '../../core/captions/captionEditSession';
import type { CaptionConflict, CaptionRecord, CaptionStore } from '../../core/captions/captionStore';
import { defaultCaptionTemplate } from '../../core/ollama/captionPrompt';
import type { Settings } from '../../core/settings/settings';
import type { ThumbnailCache, ThumbnailResult, ThumbnailSource } from '../../core/gallery/thumbnailCache';
import { errorMessage, InvalidInputError } from '../../core/util/errors';
import type { Logger } from '../../core/util/logger';
import { countTags } from '../../shared/captions/tagFrequency';
import { type CaptionChangeResult, type CaptionConflictInfo, type CaptionRow, type CaptionsBootstrap, captionsProtocol } from '../../shared/protocol/captions';
import { AutoCaptionRunner } from './autoCaptionRunner';
import { type Handler, onCommand, onRequest, PanelHost } from './panelHost';

export interface CaptionsServices {
  readonly logger: Logger;
  readonly extensionUri: vscode.Uri;
  /** Auto-caption asks Ollama at `ollama.url`, read at each use. */
  readonly settings: () => Settings;
  /** Auto-caption's model and prompt, remembered for the next run in this workspace. */
  readonly workspaceState: vscode.Memento;
  /**
   * Holds the studio index's refresh until disposed: a save knows what it writes, and a refresh
   * walking the whole studio meanwhile would compete with its writes for the same file threads.
   */
  readonly holdStudioRefresh: () => vscode.Disposable;
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
 * File events within this time are checked together: a save over 2,000 captions comes back as
 * 2,000 events, checked several at a time and answered in one message, not one by one.
 */
const fileEventBatchMs = 50;

/**
 * The caption editor of one dataset. The files are the truth: every change the webview asks for
 * goes to a CaptionEditSession, which applies it over the texts on disk, answers at once, and
 * writes it in the background; the webview says "saving" until `captions/save/finished`. The
 * store refuses to write over a caption changed on disk meanwhile, and the conflict goes to the
 * webview to settle. Changes made outside (another editor, git) arrive through a file watcher.
 */
export class CaptionsPanel extends PanelHost {
  private readonly session: CaptionEditSession;
  private readonly pendingThumbs: Array<{ id: string; uri: string | null }> = [];
  private thumbTimer: NodeJS.Timeout | undefined;
  private readonly changedFiles = new Set<string>();
  private fileEventTimer: NodeJS.Timeout | undefined;
  private readonly autoCaption: AutoCaptionRunner;
  private refreshHold: vscode.Disposable | undefined;

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
    this.session = new CaptionEditSession(store, dataset.id, {
      saveStarted: () => {
        this.refreshHold = services.holdStudioRefresh();
      },
      saveFinished: (finished) => this.saveFinished(finished),
      changedOutside: (records, history) => this.notify(captionsProtocol.rowsChanged, { rows: records.map((record) => this.row(record)), history }),
      conflictsFound: (conflicts) => this.notify(captionsProtocol.conflicts, { conflicts: conflicts.map(toConflictInfo) }),
    });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dataset.folder), '*.txt'));
    const changed = (uri: vscode.Uri): void => this.fileChanged(uri.fsPath);
    this.disposables.add(watcher);
    this.disposables.add(watcher.onDidChange(changed));
    this.disposables.add(watcher.onDidCreate(changed));
    this.disposables.add(watcher.onDidDelete(changed));
    this.disposables.add(thumbs.onDidMake((result) => this.thumbMade(result)));
    this.disposables.add({ dispose: () => clearTimeout(this.thumbTimer) });
    this.disposables.add({ dispose: () => clearTimeout(this.fileEventTimer) });
    this.disposables.add({ dispose: () => this.releaseRefresh() });
    this.autoCaption = new AutoCaptionRunner({
      logger: services.logger,
      store,
      dataset: { id: dataset.id, folder: dataset.folder, trigger: dataset.trigger ?? '', class: this.captionClass },
      ollamaUrl: () => services.settings().ollama.url,
      saveCaption: (id, before, after) => this.saveAutoCaption(id, before, after),
      recordStep: (changes) => this.session.recordStep(changes),
      progress: (done, total, current) => this.notify(captionsProtocol.autoCaptionProgress, { done, total, current }),
      text: (id, text) => this.notify(captionsProtocol.autoCaptionText, { id, text }),
      finished: (result) => this.notify(captionsProtocol.autoCaptionFinished, result),
    });
    this.disposables.add(this.autoCaption);
    this.render();
  }

  protected handlers(): Handler[] {
    return [
      onRequest(captionsProtocol.setCaption, ({ id, text, base }) => this.change(() => this.session.setCaption(id, text, base))),
      onRequest(captionsProtocol.apply, ({ edits, selection }) => this.change(() => this.session.apply(edits, selection))),
      onRequest(captionsProtocol.undo, () => this.change(() => this.session.undo())),
      onRequest(captionsProtocol.redo, () => this.change(() => this.session.redo())),
      onRequest(captionsProtocol.resolve, ({ id, keep }) => this.change(() => this.session.resolve(id, keep))),
      onCommand(captionsProtocol.wantThumbs, ({ ids }) => void this.wantThumbs(ids)),
      onRequest(captionsProtocol.listVisionModels, () => this.autoCaption.listModels()),
      onRequest(captionsProtocol.startAutoCaption, ({ model, template, scope }) => {
        this.requireTrust();
        const started = this.autoCaption.start(model, template, scope);
        // The choice is the user's last one even when there was nothing to caption.
        void rememberAutoCaption(this.services.workspaceState, model, template);
        return started;
      }),
      onCommand(captionsProtocol.cancelAutoCaption, () => this.autoCaption.cancel()),
    ];
  }

  protected bootstrap(): CaptionsBootstrap {
    const records = this.session.records();
    const remembered = recallAutoCaption(this.services.workspaceState);
    return {
      datasetId: this.dataset.id,
      trigger: this.dataset.trigger ?? null,
      rows: records.map((record) => this.row(record)),
      tags: countTags(records.map((record) => record.text)),
      conflicts: this.session.conflictList().map(toConflictInfo),
      history: this.session.historyState,
      saving: this.session.saving ?? null,
      readOnly: !vscode.workspace.isTrusted,
      autoCaption: { template: remembered.template, defaultTemplate: defaultCaptionTemplate, model: remembered.model ?? null, class: this.captionClass },
    };
  }

  /** `{class}` of the caption prompt; a dataset without a character's class is captioned as a character. */
  private get captionClass(): string {
    return this.dataset.class?.trim() || 'character';
  }

  /** A change from the webview: refused in an untrusted folder, answered once applied (the write goes on). */
  private async change(run: () => Promise<CaptionChangeAnswer>): Promise<CaptionChangeResult> {
    this.requireTrust();
    const answer = await run();
    return {
      rows: answer.records.map((record) => this.row(record)),
      saving: answer.saving ?? null,
      skipped: answer.skipped,
      conflicts: answer.conflicts.map(toConflictInfo),
      error: answer.error ?? null,
      history: answer.history,
    };
  }

  private saveFinished(finished: CaptionSaveFinished): void {
    this.releaseRefresh();
    for (const failure of finished.failed) this.services.logger.warn(`Captions of ${this.dataset.id}: ${failure.id} was not saved: ${failure.message}`);
    this.notify(captionsProtocol.saveFinished, {
      id: finished.id,
      saved: finished.saved,
      conflicts: finished.conflicts.map(toConflictInfo),
      failed: [...finished.failed],
      rows: finished.records.map((record) => this.row(record)),
      history: finished.history,
    });
  }

  private releaseRefresh(): void {
    this.refreshHold?.dispose();
    this.refreshHold = undefined;
  }

  /** A caption Auto-caption finished, written at once; its row shows it. */
  private async saveAutoCaption(id: string, before: string, after: string): Promise<string | undefined> {
    const outcome = await this.session.saveGenerated(id, before, after);
    if ('problem' in outcome) return outcome.problem;
    this.notify(captionsProtocol.rowsChanged, { rows: [this.row(outcome.record)], history: this.session.historyState });
    return undefined;
  }

  /** File events are gathered for a moment, then checked together. */
  private fileChanged(file: string): void {
    this.changedFiles.add(file);
    this.fileEventTimer ??= setTimeout(() => {
      this.fileEventTimer = undefined;
      const files = [...this.changedFiles];
      this.changedFiles.clear();
      this.session.filesChanged(files).catch((error: unknown) => this.services.logger.warn(`Captions of ${this.dataset.id}: changes on disk not read: ${errorMessage(error)}`));
    }, fileEventBatchMs);
  }

  private requireTrust(): void {
    if (!vscode.workspace.isTrusted) throw new InvalidInputError('This folder is not trusted: captions are read-only here. Trust the folder to edit them.');
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
}

function toConflictInfo(conflict: CaptionConflict): CaptionConflictInfo {
  return { id: conflict.id, mine: conflict.mine, theirs: conflict.theirs ?? null };
}
