import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyCaptionEdits, applyChanges, type CaptionEdit, type CaptionSelection } from '../../../../src/shared/captions/captionEdits';
import { CaptionHistory, defaultUndoDepth, type HistoryMove } from '../../../../src/shared/captions/captionHistory';

/** What the caption panel will do: apply a batch, record it, and undo or redo on the same map. */
class Editor {
  readonly captions: Map<string, string>;
  constructor(
    entries: Record<string, string>,
    readonly history = new CaptionHistory(),
  ) {
    this.captions = new Map(Object.entries(entries));
  }
  edit(edit: CaptionEdit, selection: CaptionSelection = 'all'): number {
    const result = applyCaptionEdits(this.captions, [edit], selection);
    assert.ok(result.ok);
    applyChanges(this.captions, result.changes);
    this.history.record(result.changes);
    return result.changes.size;
  }
  undo(): HistoryMove | undefined {
    const move = this.history.undo(this.captions);
    if (move) applyChanges(this.captions, move.changes);
    return move;
  }
  redo(): HistoryMove | undefined {
    const move = this.history.redo(this.captions);
    if (move) applyChanges(this.captions, move.changes);
    return move;
  }
  get texts(): Record<string, string> {
    return Object.fromEntries(this.captions);
  }
}

const start = { a: 'spyke, rain', b: 'mira, sun', c: 'spyke, snow' };

describe('CaptionHistory', () => {
  it('undoes and redoes batches in order', () => {
    const editor = new Editor(start);
    editor.edit({ kind: 'replace', find: 'spyke', replace: 'spike', regex: false, caseSensitive: true });
    editor.edit({ kind: 'addTag', tag: 'night' }, ['b']);
    assert.deepEqual(editor.texts, { a: 'spike, rain', b: 'mira, sun, night', c: 'spike, snow' });

    assert.deepEqual([...editor.undo()!.changes.keys()], ['b']);
    assert.deepEqual(editor.texts, { a: 'spike, rain', b: 'mira, sun', c: 'spike, snow' });
    editor.undo();
    assert.deepEqual(editor.texts, start);
    assert.equal(editor.undo(), undefined);
    assert.equal(editor.history.canUndo, false);

    editor.redo();
    assert.deepEqual(editor.texts, { a: 'spike, rain', b: 'mira, sun', c: 'spike, snow' });
    editor.redo();
    assert.deepEqual(editor.texts, { a: 'spike, rain', b: 'mira, sun, night', c: 'spike, snow' });
    assert.equal(editor.redo(), undefined);
    editor.undo();
    editor.undo();
    assert.deepEqual(editor.texts, start);
  });

  it('stores only what a step changed', () => {
    const editor = new Editor(start);
    editor.edit({ kind: 'replace', find: 'snow', replace: 'hail', regex: false, caseSensitive: true });
    const move = editor.undo()!;
    assert.deepEqual([...move.changes], [['c', { before: 'spyke, hail', after: 'spyke, snow' }]]);
  });

  it('clears the redo steps on a new edit, but not on a batch that changed nothing', () => {
    const editor = new Editor(start);
    editor.edit({ kind: 'addTag', tag: 'night' });
    editor.edit({ kind: 'addTag', tag: 'wind' });
    editor.undo();
    assert.equal(editor.history.canRedo, true);
    assert.equal(editor.edit({ kind: 'removeTag', tag: 'absent' }), 0);
    assert.equal(editor.history.canRedo, true);
    editor.edit({ kind: 'addTag', tag: 'fog' }, ['a']);
    assert.equal(editor.history.canRedo, false);
    assert.equal(editor.redo(), undefined);
    assert.equal(editor.history.undoCount, 2);
  });

  it('forgets the oldest steps beyond its depth', () => {
    const editor = new Editor({ a: '' }, new CaptionHistory(3));
    for (const text of ['1', '2', '3', '4', '5']) editor.edit({ kind: 'setCaption', text });
    assert.equal(editor.history.undoCount, 3);
    while (editor.undo());
    assert.deepEqual(editor.texts, { a: '2' });
    assert.equal(editor.history.redoCount, 3);
    assert.equal(new CaptionHistory().depth, defaultUndoDepth);
    assert.throws(() => new CaptionHistory(0), RangeError);
  });

  it('does not undo over a caption changed outside the history, and says so', () => {
    const editor = new Editor(start);
    editor.edit({ kind: 'addTag', tag: 'night' });
    // The file of `b` changed on disk and the editor took the new text in.
    editor.captions.set('b', 'mira, moon');
    const move = editor.undo()!;
    assert.deepEqual(move.skipped, ['b']);
    assert.deepEqual(editor.texts, { a: 'spyke, rain', b: 'mira, moon', c: 'spyke, snow' });
    const redo = editor.redo()!;
    assert.deepEqual(redo.skipped, ['b']);
    assert.deepEqual(editor.texts, { a: 'spyke, rain, night', b: 'mira, moon', c: 'spyke, snow, night' });
  });

  it('is independent of the map it was given', () => {
    const history = new CaptionHistory();
    const changes = new Map([['a', { before: 'x', after: 'y' }]]);
    history.record(changes);
    changes.clear();
    assert.equal(history.undo(new Map([['a', 'y']]))?.changes.size, 1);
  });
});
