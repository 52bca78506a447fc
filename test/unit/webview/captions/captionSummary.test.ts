import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptionChangeResult } from '../../../../src/shared/protocol/captions';
import { countLabel, describeResult, lacksTrigger } from '../../../../webview/captions/captionSummary';

const base: CaptionChangeResult = { rows: [], saved: 0, conflicts: [], failed: [], skipped: 0, error: null, history: { canUndo: false, canRedo: false } };

test('counts images and captioned ones: a missing or blank caption is not captioned', () => {
  const rows = [
    { missing: false, text: 'a, b' },
    { missing: false, text: ' , ' },
    { missing: true, text: '' },
  ];
  assert.equal(countLabel(rows), '3 images · 1 captioned');
  assert.equal(countLabel([{ missing: false, text: 'x' }]), '1 image · 1 captioned');
});

test('a captioned row without the trigger word is marked; a missing one is marked as missing instead', () => {
  assert.equal(lacksTrigger({ missing: false, text: 'full body' }, 'spyke_plasma_v1'), true);
  assert.equal(lacksTrigger({ missing: false, text: 'Spyke_Plasma_V1, full body' }, 'spyke_plasma_v1'), false);
  assert.equal(lacksTrigger({ missing: true, text: '' }, 'spyke_plasma_v1'), false);
  assert.equal(lacksTrigger({ missing: false, text: 'x' }, null), false);
});

test('the status line says what happened and what stood in the way', () => {
  assert.deepEqual(describeResult((n) => `Replaced in ${n}`, 'No caption matches', { ...base, saved: 37 }), { text: 'Replaced in 37 captions.', error: false });
  assert.deepEqual(describeResult((n) => `Replaced in ${n}`, 'No caption matches', base), { text: 'No caption matches.', error: false });
  assert.deepEqual(describeResult((n) => n, '', { ...base, error: 'Not a valid regular expression: x' }), { text: 'Not a valid regular expression: x', error: true });
  const mixed = describeResult((n) => `Undid the change to ${n}`, '', { ...base, saved: 1, skipped: 2, conflicts: [{ id: 'a', mine: 'x', theirs: 'y' }] });
  assert.equal(mixed.text, 'Undid the change to 1 caption. 2 captions left alone: changed on disk since. 1 caption changed on disk meanwhile: choose on the marked rows.');
  assert.equal(mixed.error, true);
});
