import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyCaptionEdits, applyChanges, captionEditSchema, type CaptionChange, type CaptionEdit, type CaptionSelection } from '../../../../src/shared/captions/captionEdits';

const dataset = (): Map<string, string> =>
  new Map([
    ['spyke_001', 'spyke, full body, running, neon alley'],
    ['spyke_002', 'close-up,smile ,  rain'],
    ['spyke_003', 'full body, spyke, standing, rooftop'],
    ['spyke_004', ''],
  ]);

function changesOf(edits: readonly CaptionEdit[], selection: CaptionSelection = 'all', captions = dataset()): Map<string, CaptionChange> {
  const result = applyCaptionEdits(captions, edits, selection);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.changes;
}

const afters = (changes: Map<string, CaptionChange>): Record<string, string> => Object.fromEntries([...changes].map(([id, change]) => [id, change.after]));

describe('applyCaptionEdits', () => {
  it('prepends the trigger where it is missing or not first, and reports only those captions', () => {
    const changes = changesOf([{ kind: 'prependTrigger', trigger: 'spyke' }]);
    assert.deepEqual(afters(changes), {
      spyke_002: 'spyke, close-up, smile, rain',
      spyke_003: 'spyke, full body, standing, rooftop',
      spyke_004: 'spyke',
    });
    assert.deepEqual(changes.get('spyke_003'), { before: 'full body, spyke, standing, rooftop', after: 'spyke, full body, standing, rooftop' });
  });

  it('replaces over all captions, plain or regular expression with groups', () => {
    assert.deepEqual(afters(changesOf([{ kind: 'replace', find: 'full body', replace: 'cowboy shot', regex: false, caseSensitive: true }])), {
      spyke_001: 'spyke, cowboy shot, running, neon alley',
      spyke_003: 'cowboy shot, spyke, standing, rooftop',
    });
    assert.deepEqual(afters(changesOf([{ kind: 'replace', find: '(\\w+)ing\\b', replace: '$1s', regex: true, caseSensitive: true }])), {
      spyke_001: 'spyke, full body, runns, neon alley',
      spyke_003: 'full body, spyke, stands, rooftop',
    });
  });

  it('replaces case-insensitively when asked', () => {
    const captions = new Map([['a', 'Rain, RAIN, rain']]);
    assert.deepEqual(afters(changesOf([{ kind: 'replace', find: 'rain', replace: 'snow', regex: false, caseSensitive: false }], 'all', captions)), { a: 'snow, snow, snow' });
  });

  it('touches only the selection, skipping ids that are gone', () => {
    const changes = changesOf([{ kind: 'addTag', tag: 'night' }], ['spyke_002', 'spyke_004', 'gone', 'spyke_002']);
    assert.deepEqual(afters(changes), { spyke_002: 'close-up, smile, rain, night', spyke_004: 'night' });
  });

  it('adds at a position, never twice', () => {
    assert.deepEqual(afters(changesOf([{ kind: 'addTag', tag: 'Spyke', position: 0 }])), {
      spyke_002: 'Spyke, close-up, smile, rain',
      spyke_004: 'Spyke',
    });
  });

  it('removes a tag in any case, and moves tags by index', () => {
    assert.deepEqual(afters(changesOf([{ kind: 'removeTag', tag: 'FULL BODY' }])), {
      spyke_001: 'spyke, running, neon alley',
      spyke_003: 'spyke, standing, rooftop',
    });
    assert.deepEqual(afters(changesOf([{ kind: 'moveTag', from: 3, to: 0 }])), {
      spyke_001: 'neon alley, spyke, full body, running',
      spyke_003: 'rooftop, full body, spyke, standing',
    });
  });

  it('sets a caption as typed, and reports nothing for a caption set to its own text', () => {
    assert.deepEqual(afters(changesOf([{ kind: 'setCaption', text: 'spyke,  sitting' }], ['spyke_004'])), { spyke_004: 'spyke,  sitting' });
    assert.equal(changesOf([{ kind: 'setCaption', text: '' }], ['spyke_004']).size, 0);
  });

  it('keeps the spacing of captions a tag edit does not change', () => {
    assert.equal(changesOf([{ kind: 'removeTag', tag: 'absent' }]).size, 0);
    assert.equal(changesOf([{ kind: 'moveTag', from: 7, to: 0 }]).size, 0);
  });

  it('applies several edits in order as one batch, reporting the first text and the last', () => {
    const changes = changesOf(
      [
        { kind: 'removeTag', tag: 'spyke' },
        { kind: 'prependTrigger', trigger: 'spyke' },
      ],
      ['spyke_001', 'spyke_003'],
    );
    assert.deepEqual([...changes.keys()], ['spyke_003']);
    assert.equal(changes.get('spyke_003')?.before, 'full body, spyke, standing, rooftop');
  });

  it('fails the whole batch, as a value, on an invalid expression or an unusable tag', () => {
    const edits: CaptionEdit[][] = [
      [{ kind: 'addTag', tag: 'night' }, { kind: 'replace', find: '(', replace: '', regex: true, caseSensitive: false }],
      [{ kind: 'addTag', tag: 'night, rain' }],
      [{ kind: 'removeTag', tag: '  ' }],
      [{ kind: 'prependTrigger', trigger: '' }],
    ];
    const errors = edits.map((batch) => {
      const result = applyCaptionEdits(dataset(), batch, 'all');
      assert.equal(result.ok, false);
      return result.ok ? '' : result.error;
    });
    assert.match(errors[0]!, /^Not a valid regular expression/);
    assert.match(errors[1]!, /cannot contain a comma/);
    assert.equal(errors[2], 'The tag is empty.');
    assert.equal(errors[3], 'The trigger word is empty.');
  });

  it('changes nothing until the result is applied', () => {
    const captions = dataset();
    const changes = changesOf([{ kind: 'addTag', tag: 'night' }], 'all', captions);
    assert.equal(captions.get('spyke_004'), '');
    applyChanges(captions, changes);
    assert.equal(captions.get('spyke_004'), 'night');
    assert.equal(captions.get('spyke_001'), 'spyke, full body, running, neon alley, night');
  });
});

describe('captionEditSchema', () => {
  it('accepts each kind of edit and refuses malformed ones', () => {
    assert.equal(captionEditSchema.safeParse({ kind: 'moveTag', from: 1, to: 0 }).success, true);
    assert.equal(captionEditSchema.safeParse({ kind: 'addTag', tag: 'x' }).success, true);
    assert.equal(captionEditSchema.safeParse({ kind: 'replace', find: 'a', replace: 'b', regex: true, caseSensitive: false }).success, true);
    assert.equal(captionEditSchema.safeParse({ kind: 'moveTag', from: -1, to: 0 }).success, false);
    assert.equal(captionEditSchema.safeParse({ kind: 'replace', find: 'a', replace: 'b' }).success, false);
    assert.equal(captionEditSchema.safeParse({ kind: 'shout' }).success, false);
  });
});
