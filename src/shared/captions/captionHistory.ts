import type { CaptionChange, CaptionChanges } from './captionEdits';

/** Deep enough for a long session; each step holds only the captions it changed. */
export const defaultUndoDepth = 100;

/** What an undo or redo asks the caller to apply. */
export interface HistoryMove {
  /** Apply with `applyChanges`: `after` is the text to put back. */
  readonly changes: Map<string, CaptionChange>;
  /**
   * Captions of the step left alone because their text is no longer what the step left there:
   * something outside the history changed them since (a caption taken from disk). Undoing over
   * that change would silently throw it away.
   */
  readonly skipped: readonly string[];
}

/**
 * Undo and redo of caption batches. One applied batch is one step, and a step stores only the
 * captions it changed (their text before and after), so undoing a replace over 2,000 captions
 * costs what the replace changed, not a copy of the dataset. A new step clears the redo steps;
 * the oldest steps are forgotten beyond `depth`.
 */
export class CaptionHistory {
  private readonly undoSteps: CaptionChanges[] = [];
  private redoSteps: CaptionChanges[] = [];

  constructor(readonly depth: number = defaultUndoDepth) {
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`The undo depth must be a whole number of at least 1, not ${depth}.`);
  }

  get canUndo(): boolean {
    return this.undoSteps.length > 0;
  }

  get canRedo(): boolean {
    return this.redoSteps.length > 0;
  }

  /** Steps that can be undone now, for the UI (and tests of the bound). */
  get undoCount(): number {
    return this.undoSteps.length;
  }

  get redoCount(): number {
    return this.redoSteps.length;
  }

  /** Records an applied batch. A batch that changed nothing is no step and keeps the redo steps. */
  record(changes: CaptionChanges): void {
    if (changes.size === 0) return;
    // A copy: the caller's map is theirs to reuse.
    this.undoSteps.push(new Map(changes));
    if (this.undoSteps.length > this.depth) this.undoSteps.shift();
    this.redoSteps = [];
  }

  /** Takes back the last step; `current` is every caption's text now. Undefined when there is nothing to undo. */
  undo(current: ReadonlyMap<string, string>): HistoryMove | undefined {
    const step = this.undoSteps.pop();
    if (!step) return undefined;
    this.redoSteps.push(step);
    return replay(step, current, 'backward');
  }

  /** Does again the last undone step. Undefined when there is nothing to redo. */
  redo(current: ReadonlyMap<string, string>): HistoryMove | undefined {
    const step = this.redoSteps.pop();
    if (!step) return undefined;
    this.undoSteps.push(step);
    return replay(step, current, 'forward');
  }

  clear(): void {
    this.undoSteps.length = 0;
    this.redoSteps = [];
  }
}

/** The step's changes in `direction`, for the captions that still hold the text the step expects. */
function replay(step: CaptionChanges, current: ReadonlyMap<string, string>, direction: 'backward' | 'forward'): HistoryMove {
  const changes = new Map<string, CaptionChange>();
  const skipped: string[] = [];
  for (const [id, { before, after }] of step) {
    const [from, to] = direction === 'backward' ? [after, before] : [before, after];
    if (current.get(id) === from) changes.set(id, { before: from, after: to });
    else skipped.push(id);
  }
  return { changes, skipped };
}
