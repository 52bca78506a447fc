import { applyCaptionEdits, type CaptionChange, type CaptionEdit, type CaptionSelection } from '../../shared/captions/captionEdits';
import { CaptionHistory } from '../../shared/captions/captionHistory';
import { errorMessage, InvalidInputError } from '../util/errors';
import type { CaptionConflict, CaptionRecord, CaptionSaveReport, CaptionStore } from './captionStore';

export interface CaptionHistoryState {
  readonly canUndo: boolean;
  readonly canRedo: boolean;
}

/** A save running in the background: its id (the order saves were asked in) and how many captions it writes. */
export interface CaptionSaving {
  readonly id: number;
  readonly count: number;
}

/** What a change answers as soon as it is applied, before the disk has it. */
export interface CaptionChangeAnswer {
  /** The changed captions as the editor shows them now; `saving` writes them. */
  readonly records: readonly CaptionRecord[];
  /** Undefined when there was nothing to write. */
  readonly saving: CaptionSaving | undefined;
  /** Undo and redo only: captions of the step left alone because they changed outside since. */
  readonly skipped: number;
  /** Edits made on a text the caption no longer has (changed on disk since): not written, to be settled by the user. */
  readonly conflicts: readonly CaptionConflict[];
  /** An edit that could not run (an invalid regular expression, an empty tag): nothing was changed. */
  readonly error: string | undefined;
  readonly history: CaptionHistoryState;
}

/** How a background save ended. */
export interface CaptionSaveFinished {
  readonly id: number;
  /** How many of its captions the disk now holds. */
  readonly saved: number;
  /** Not written: changed on disk meanwhile; the editor holds `mine` until the user settles it. */
  readonly conflicts: readonly CaptionConflict[];
  /** Not written: the file system refused, or the file is not UTF-8. */
  readonly failed: readonly { readonly id: string; readonly message: string }[];
  /** The captions of the save that were not written, as the disk holds them: what the editor shows again. */
  readonly records: readonly CaptionRecord[];
  readonly history: CaptionHistoryState;
}

export interface CaptionSessionEvents {
  /** A save begins writing; `saveFinished` follows it before the next one starts. */
  saveStarted(saving: CaptionSaving): void;
  saveFinished(finished: CaptionSaveFinished): void;
  /** Captions changed on disk outside the editor, and taken in. */
  changedOutside(records: readonly CaptionRecord[], history: CaptionHistoryState): void;
  /** Captions changed on disk while the editor held an unsaved text for them. */
  conflictsFound(conflicts: readonly CaptionConflict[]): void;
}

/** One change, worked out but not yet written. */
interface PlannedChange {
  readonly changes: ReadonlyMap<string, CaptionChange>;
  readonly skipped?: number;
  readonly conflicts?: readonly CaptionConflict[];
  readonly error?: string;
  /** Undo and redo replay a step the history holds already: they record none. */
  readonly record: boolean;
  /** Captions to answer with when nothing is written (a conflict settled by taking the disk's text). */
  readonly shown?: readonly string[];
}

const nothingToWrite: PlannedChange = { changes: new Map(), record: false };

/**
 * What one caption editor does to a dataset's captions, without the editor's view: edits applied
 * one after another over the texts on disk, each answered as soon as it is applied and written in
 * the background; conflicts kept until the user settles them; undo and redo.
 *
 * The files stay the truth. Changes run strictly in order, and a change starts only once the one
 * before it is written: each starts from what the disk holds, and a write the disk refused (a
 * conflict, an error) is reported by `saveFinished` and never recorded as an undo step. Only the
 * answer comes early, so the editor shows a change at once and says "saving" until it ends.
 */
export class CaptionEditSession {
  private readonly history = new CaptionHistory();
  /** The editor's text of each caption whose save met a change on disk, until the user settles it. */
  private readonly conflicts = new Map<string, CaptionConflict>();
  private queue: Promise<unknown> = Promise.resolve();
  private lastSaveId = 0;
  /** The save being written, with its texts: what the editor shows while the disk does not have them yet. */
  private writing: { readonly saving: CaptionSaving; readonly texts: ReadonlyMap<string, string> } | undefined;

  constructor(
    readonly store: CaptionStore,
    /** Names the dataset in messages. */
    private readonly datasetId: string,
    private readonly events: CaptionSessionEvents,
  ) {}

  get historyState(): CaptionHistoryState {
    return { canUndo: this.history.canUndo, canRedo: this.history.canRedo };
  }

  /** The save being written now, if any. */
  get saving(): CaptionSaving | undefined {
    return this.writing?.saving;
  }

  conflictList(): CaptionConflict[] {
    return [...this.conflicts.values()];
  }

  /** Every caption as the editor shows it: the disk's, or the text being written to it. */
  records(): CaptionRecord[] {
    return this.store.list().map((record) => this.shown(record));
  }

  /** An id from outside (the webview), checked against the store: the only captions it may name. */
  known(id: string): string {
    if (!this.store.get(id)) throw new InvalidInputError(`${id} is not an image of dataset ${this.datasetId}.`);
    return id;
  }

  /**
   * One caption's whole text, as typed. `base` is the text the edit was made on: when the caption
   * no longer has it (changed on disk since, and taken in meanwhile), writing would throw that
   * change away unseen, so it is a conflict instead.
   */
  setCaption(id: string, text: string, base?: string): Promise<CaptionChangeAnswer> {
    return this.change(() => {
      const record = this.store.get(this.known(id))!;
      if (base !== undefined && base !== record.text && text !== record.text) {
        const conflict: CaptionConflict = { id, mine: text, theirs: record.missing || record.notUtf8 ? undefined : record.text };
        this.conflicts.set(id, conflict);
        return { ...nothingToWrite, conflicts: [conflict], shown: [id] };
      }
      return this.planEdits([{ kind: 'setCaption', text }], [id]);
    });
  }

  /** Edits over the selected captions or all of them: one undo step. */
  apply(edits: readonly CaptionEdit[], selection: CaptionSelection): Promise<CaptionChangeAnswer> {
    return this.change(() => this.planEdits(edits, selection));
  }

  undo(): Promise<CaptionChangeAnswer> {
    return this.replay('undo');
  }

  redo(): Promise<CaptionChangeAnswer> {
    return this.replay('redo');
  }

  /** Ends a conflict: `mine` writes the editor's text over the disk's, `theirs` takes the disk's. */
  resolve(id: string, keep: 'mine' | 'theirs'): Promise<CaptionChangeAnswer> {
    return this.change(async () => {
      this.known(id);
      const conflict = this.conflicts.get(id);
      // Reloading without an unsaved text takes in the disk's version; a write after it writes over it, now seen.
      await this.store.reload(id);
      this.conflicts.delete(id);
      if (keep === 'theirs' || !conflict) return { ...nothingToWrite, shown: [id] };
      const theirs = this.store.get(id)?.text ?? '';
      return { changes: new Map([[id, { before: theirs, after: conflict.mine }]]), record: true };
    });
  }

  /**
   * Writes a caption that Auto-caption finished, now, unless the caption changed since the run
   * read it (an edit meanwhile is the user's and wins): the record as written, or why it was not.
   * Not an undo step of its own: the run records one with `recordStep`.
   */
  saveGenerated(id: string, before: string, after: string): Promise<{ record: CaptionRecord } | { problem: string }> {
    return this.serial(async () => {
      const record = this.store.get(id);
      if (!record) return { problem: `${id} is no longer an image of this dataset.` };
      if (record.text !== before || this.conflicts.has(id)) return { problem: `${id} was captioned meanwhile; that caption was kept.` };
      const report = await this.store.save(new Map([[id, after]]));
      if (report.conflicts[0]) return { problem: `${id}.txt changed on disk meanwhile; it was left as it is.` };
      const failure = report.failed[0];
      if (failure) return { problem: failure.message };
      return { record: this.store.get(id)! };
    });
  }

  /** Records changes already written (an Auto-caption run) as one undo step. */
  recordStep(changes: ReadonlyMap<string, CaptionChange>): Promise<CaptionHistoryState> {
    return this.serial(async () => {
      this.history.record(new Map(changes));
      return this.historyState;
    });
  }

  /**
   * Caption files changed on disk (file events, in a burst or one by one): each is taken in, or
   * is a conflict with a text the editor could not save, or is the echo of our own write.
   */
  filesChanged(files: readonly string[]): Promise<void> {
    return this.serial(async () => {
      const unsaved = new Map([...this.conflicts.values()].map((conflict) => [conflict.id, conflict.mine]));
      const checks = await this.store.filesChanged(files, unsaved);
      const taken: CaptionRecord[] = [];
      const conflicts: CaptionConflict[] = [];
      for (const check of checks) {
        if (check.kind === 'taken') {
          this.conflicts.delete(check.record.id);
          taken.push(check.record);
        } else if (check.kind === 'conflict') {
          const conflict = { id: check.id, mine: check.mine, theirs: check.theirs };
          this.conflicts.set(check.id, conflict);
          conflicts.push(conflict);
        }
      }
      if (taken.length > 0) this.events.changedOutside(taken, this.historyState);
      if (conflicts.length > 0) this.events.conflictsFound(conflicts);
    });
  }

  /** Resolves once everything asked for so far has run, writes included. */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  private planEdits(edits: readonly CaptionEdit[], selection: CaptionSelection): PlannedChange {
    const ids = selection === 'all' ? 'all' : selection.map((id) => this.known(id));
    const result = applyCaptionEdits(this.store.texts(), edits, ids);
    return result.ok ? { changes: result.changes, record: true } : { ...nothingToWrite, error: result.error };
  }

  private replay(direction: 'undo' | 'redo'): Promise<CaptionChangeAnswer> {
    return this.change(() => {
      const current = this.store.texts();
      const move = direction === 'undo' ? this.history.undo(current) : this.history.redo(current);
      return move ? { changes: move.changes, skipped: move.skipped.length, record: false } : nothingToWrite;
    });
  }

  /**
   * Runs one change in order: works it out, answers with the captions as they will be, then
   * writes them; the next change waits for the write.
   */
  private change(plan: () => PlannedChange | Promise<PlannedChange>): Promise<CaptionChangeAnswer> {
    return new Promise<CaptionChangeAnswer>((answer, refuse) => {
      void this.serial(async () => {
        let planned: PlannedChange;
        try {
          planned = await plan();
        } catch (error) {
          refuse(error);
          return;
        }
        const { changes, skipped = 0, conflicts = [], error } = planned;
        if (changes.size === 0) {
          answer({ records: this.recordsOf(planned.shown ?? []), saving: undefined, skipped, conflicts, error, history: this.historyState });
          return;
        }
        const saving: CaptionSaving = { id: ++this.lastSaveId, count: changes.size };
        this.writing = { saving, texts: new Map([...changes].map(([id, change]) => [id, change.after])) };
        answer({ records: this.recordsOf([...changes.keys()]), saving, skipped, conflicts, error: undefined, history: this.historyState });
        await this.write(saving, changes, planned.record);
      });
    });
  }

  /** Writes a change's `after` texts, records what the disk took as one undo step, and reports. */
  private async write(saving: CaptionSaving, changes: ReadonlyMap<string, CaptionChange>, record: boolean): Promise<void> {
    let report: CaptionSaveReport;
    try {
      this.events.saveStarted(saving);
      report = await this.store.save(new Map([...changes].map(([id, change]) => [id, change.after])));
    } catch (error) {
      // The store reports each file's failure itself; this is the unforeseen, and still no write goes unreported.
      report = { saved: [], conflicts: [], failed: [...changes.keys()].map((id) => ({ id, message: errorMessage(error) })) };
    } finally {
      this.writing = undefined;
    }
    const saved = report.saved.filter((id) => changes.has(id));
    if (record) this.history.record(new Map(saved.map((id) => [id, changes.get(id)!])));
    for (const conflict of report.conflicts) this.conflicts.set(conflict.id, conflict);
    const notWritten = [...report.conflicts.map((conflict) => conflict.id), ...report.failed.map((failure) => failure.id)];
    this.events.saveFinished({
      id: saving.id,
      saved: saved.length,
      conflicts: report.conflicts,
      failed: report.failed,
      records: this.recordsOf(notWritten),
      history: this.historyState,
    });
  }

  private recordsOf(ids: readonly string[]): CaptionRecord[] {
    return ids.flatMap((id) => {
      const record = this.store.get(id);
      return record ? [this.shown(record)] : [];
    });
  }

  /** A record with the text being written to it, if any: empty means no caption file. */
  private shown(record: CaptionRecord): CaptionRecord {
    const text = this.writing?.texts.get(record.id);
    return text === undefined ? record : { ...record, text, missing: text === '' };
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
