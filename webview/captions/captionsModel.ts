import type { CaptionEdit } from '../../src/shared/captions/captionEdits';
import { countTags, suggestTags, type TagCount } from '../../src/shared/captions/tagFrequency';
import { splitTags } from '../../src/shared/captions/tags';
import {
  type AutoCaptionFinished,
  type CaptionChangeResult,
  type CaptionConflictInfo,
  type CaptionRow,
  type CaptionSaveFinished,
  type CaptionSaving,
  type CaptionsBootstrap,
  captionsProtocol,
} from '../../src/shared/protocol/captions';
import type { HostClient } from '../shared/hostConnection';
import { AutoCaptionModel } from './autoCaptionModel';
import { describeResult, describeSaving } from './captionSummary';
import { type ClickModifiers, type RowSelection, clickSelection, emptySelection, keepKnown, selectAll } from './rowSelection';

export interface CaptionsModelDeps {
  readonly host: HostClient;
  readonly warn: (message: string) => void;
}

export interface Status {
  readonly text: string;
  readonly error: boolean;
}

/** How many suggestions the add-tag inputs offer. */
const suggestionLimit = 12;

/** What the status line says when a save the editor asked for ends. */
interface SaveWords {
  readonly done: (count: string) => string;
  readonly nothing: string;
  readonly skipped: number;
}

/** A save this editor did not ask for (it was under way when the panel was shown again). */
const savedWords: SaveWords = { done: (count) => `Saved ${count}`, nothing: 'Nothing to save', skipped: 0 };

/**
 * The caption editor's state: the rows as the host last reported them, the selection, conflicts,
 * and what the status line says. Every change goes to the host, which answers with the rows it
 * changes as soon as it has applied it, and writes them in the background: `saving` until
 * `captions/save/finished`, which gives back the disk's version of any row it could not write.
 */
export class CaptionsModel {
  readonly datasetId: string;
  readonly trigger: string | null;
  readonly readOnly: boolean;
  /** What `{class}` stands for in Auto-caption's prompt. */
  readonly captionClass: string;
  readonly auto: AutoCaptionModel;
  rows: CaptionRow[];
  selection: RowSelection = emptySelection;
  readonly conflicts = new Map<string, CaptionConflictInfo>();
  /** Thumbnail (or, failing that, image) URIs by row id. */
  readonly thumbs = new Map<string, string>();
  /** Rows shown as plain text instead of chips. */
  readonly textMode = new Set<string>();
  canUndo: boolean;
  canRedo: boolean;
  status: Status | null = null;
  /** What the tag inputs' shared suggestion list offers now. */
  suggested: TagCount[] = [];
  /** A request is under way: batch buttons wait for it. */
  busy = false;
  /** A change is being written: batch buttons wait for it too. */
  saving: CaptionSaving | null;
  private readonly saveWords = new Map<number, SaveWords>();
  private indexById = new Map<string, number>();
  private tagCounts: TagCount[] | null;
  private readonly listeners = new Set<() => void>();

  constructor(
    bootstrap: CaptionsBootstrap,
    private readonly deps: CaptionsModelDeps,
  ) {
    this.datasetId = bootstrap.datasetId;
    this.trigger = bootstrap.trigger;
    this.readOnly = bootstrap.readOnly;
    this.captionClass = bootstrap.autoCaption.class;
    this.auto = new AutoCaptionModel({
      host: deps.host,
      template: bootstrap.autoCaption.template,
      defaultTemplate: bootstrap.autoCaption.defaultTemplate,
      model: bootstrap.autoCaption.model,
      changed: () => this.changed(),
      status: (text, error) => this.setStatus(text, error),
    });
    this.rows = bootstrap.rows;
    this.tagCounts = bootstrap.tags;
    this.canUndo = bootstrap.history.canUndo;
    this.canRedo = bootstrap.history.canRedo;
    for (const conflict of bootstrap.conflicts) this.conflicts.set(conflict.id, conflict);
    this.saving = bootstrap.saving;
    if (this.saving) this.status = { text: describeSaving(this.saving.count), error: false };
    this.reindex();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  row(id: string): CaptionRow | undefined {
    const index = this.indexById.get(id);
    return index === undefined ? undefined : this.rows[index];
  }

  indexOf(id: string): number {
    return this.indexById.get(id) ?? -1;
  }

  /** Tag frequency over the dataset, counted again only after a change. */
  get tags(): readonly TagCount[] {
    this.tagCounts ??= countTags(this.rows.map((row) => row.text));
    return this.tagCounts;
  }

  /** Fills the suggestion list for what is typed in a tag input; `exclude` are the tags the caption has. */
  suggest(prefix: string, exclude: readonly string[]): void {
    this.suggested = suggestTags(this.tags, { prefix: prefix.trim(), limit: suggestionLimit, exclude });
    this.changed();
  }

  /** What batch edits act on: the selected rows, or every row when none is selected. */
  get scope(): 'all' | string[] {
    return this.selection.selected.size > 0 ? [...this.selection.selected] : 'all';
  }

  click(id: string, modifiers: ClickModifiers): void {
    this.selection = clickSelection(this.selection, this.rows.map((row) => row.id), id, modifiers);
    this.changed();
  }

  selectAll(): void {
    this.selection = selectAll(this.rows.map((row) => row.id));
    this.changed();
  }

  clearSelection(): void {
    this.selection = emptySelection;
    this.changed();
  }

  toggleTextMode(id: string): void {
    if (this.textMode.has(id)) this.textMode.delete(id);
    else this.textMode.add(id);
    this.changed();
  }

  /**
   * Saves one caption's whole text (a chip gesture, or the text field on blur, Enter or a pause).
   * `base` is the text the edit was made on; the host refuses the edit as a conflict when the
   * caption changed on disk since.
   */
  async setCaption(id: string, text: string, base: string): Promise<void> {
    const row = this.row(id);
    if (!row || row.text === text) return;
    await this.run(() => this.deps.host.request(captionsProtocol.setCaption, { id, text, base }), (n) => `Saved ${n}`, 'Nothing saved');
  }

  /** A batch edit over the scope; one undo step. */
  async apply(edit: CaptionEdit, done: (count: string) => string, nothing: string): Promise<void> {
    await this.run(() => this.deps.host.request(captionsProtocol.apply, { edits: [edit], selection: this.scope }), done, nothing);
  }

  async undo(): Promise<void> {
    if (!this.canUndo) return;
    await this.run(() => this.deps.host.request(captionsProtocol.undo, {}), (n) => `Undid the change to ${n}`, 'Nothing left to undo');
  }

  async redo(): Promise<void> {
    if (!this.canRedo) return;
    await this.run(() => this.deps.host.request(captionsProtocol.redo, {}), (n) => `Redid the change to ${n}`, 'Nothing left to redo');
  }

  async resolve(id: string, keep: 'mine' | 'theirs'): Promise<void> {
    await this.run(
      () => this.deps.host.request(captionsProtocol.resolve, { id, keep }),
      () => (keep === 'mine' ? `Kept your caption of ${id}` : `Took the caption on disk for ${id}`),
      keep === 'mine' ? `Kept your caption of ${id}` : `Took the caption on disk for ${id}`,
    );
    this.conflicts.delete(id);
    this.changed();
  }

  /** Captions changed on disk, outside the editor. */
  rowsChanged(rows: readonly CaptionRow[], history: { canUndo: boolean; canRedo: boolean }): void {
    this.merge(rows);
    for (const row of rows) this.conflicts.delete(row.id);
    this.auto.rowsSaved(rows.map((row) => row.id));
    this.canUndo = history.canUndo;
    this.canRedo = history.canRedo;
    this.changed();
  }

  /** Auto-caption ended; its captions came already as row changes, and it is one undo step. */
  autoCaptionFinished(result: AutoCaptionFinished): void {
    this.canUndo = result.history.canUndo;
    this.canRedo = result.history.canRedo;
    this.auto.onFinished(result);
  }

  /** A change's background save ended: the rows it could not write show the disk's text again. */
  saveFinished(finished: CaptionSaveFinished): void {
    this.merge(finished.rows);
    for (const conflict of finished.conflicts) this.conflicts.set(conflict.id, conflict);
    this.canUndo = finished.history.canUndo;
    this.canRedo = finished.history.canRedo;
    if (this.saving?.id === finished.id) this.saving = null;
    const words = this.saveWords.get(finished.id) ?? savedWords;
    this.saveWords.delete(finished.id);
    this.status = describeResult(words.done, words.nothing, { ...finished, skipped: words.skipped, error: null });
    this.changed();
  }

  conflictsFound(conflicts: readonly CaptionConflictInfo[]): void {
    for (const conflict of conflicts) this.conflicts.set(conflict.id, conflict);
    this.status = { text: `${conflicts.length === 1 ? `${conflicts[0]!.id} was` : `${conflicts.length} captions were`} changed on disk while unsaved here: choose on the marked rows.`, error: true };
    this.changed();
  }

  thumbsReady(thumbs: readonly { id: string; uri: string | null }[]): void {
    for (const { id, uri } of thumbs) {
      const row = this.row(id);
      if (row) this.thumbs.set(id, uri ?? row.image);
    }
    this.changed();
  }

  /** The thumbnail would not load (pruned meanwhile): show the image itself. */
  thumbFailed(id: string): void {
    const row = this.row(id);
    if (!row || this.thumbs.get(id) === row.image) return;
    this.thumbs.set(id, row.image);
    this.changed();
  }

  tagsOf(id: string): string[] {
    return splitTags(this.row(id)?.text ?? '');
  }

  setStatus(text: string, error = false): void {
    this.status = { text, error };
    this.changed();
  }

  private async run(request: () => Promise<CaptionChangeResult>, done: (count: string) => string, nothing: string): Promise<void> {
    if (this.readOnly) {
      this.setStatus('This folder is not trusted: captions are read-only here.', true);
      return;
    }
    this.busy = true;
    this.changed();
    try {
      const result = await request();
      this.merge(result.rows);
      for (const conflict of result.conflicts) this.conflicts.set(conflict.id, conflict);
      this.canUndo = result.history.canUndo;
      this.canRedo = result.history.canRedo;
      if (result.saving && result.error === null) {
        this.saving = result.saving;
        this.saveWords.set(result.saving.id, { done, nothing, skipped: result.skipped });
        this.status = { text: describeSaving(result.saving.count), error: false };
      } else {
        this.status = describeResult(done, nothing, { ...result, saved: 0, failed: [] });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.warn(message);
      this.status = { text: message, error: true };
    } finally {
      this.busy = false;
      this.changed();
    }
  }

  private merge(rows: readonly CaptionRow[]): void {
    let added = false;
    for (const row of rows) {
      const index = this.indexById.get(row.id);
      if (index === undefined) {
        this.rows.push(row);
        added = true;
      } else {
        this.rows[index] = row;
      }
    }
    if (added) {
      this.rows = [...this.rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.reindex();
      this.selection = keepKnown(this.selection, new Set(this.indexById.keys()));
    }
    this.tagCounts = null;
  }

  private reindex(): void {
    this.indexById = new Map(this.rows.map((row, index) => [row.id, index]));
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
