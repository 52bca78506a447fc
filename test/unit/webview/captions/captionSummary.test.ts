import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChangeOutcome, countLabel, describeResult, describeSaving, lacksTrigger } from '../../../../webview/captions/captionSummary';

const base: ChangeOutcome = { saved: 0, conflicts: [], failed: [], skipped: 0, error: null };

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

test('while a change is written, the status line says how many captions are being saved', () => {
  assert.equal(describeSaving(2000), 'Saving 2,000 captions…');
  assert.equal(describeSaving(1), 'Saving 1 caption…');
});

test('a failed write says so, with the first reason', () => {
  const failed = describeResult((n) => `Replaced in ${n}`, '', { ...base, saved: 3, failed: [{ message: 'EACCES: permission denied' }, { message: 'x' }] });
  assert.deepEqual(failed, { text: 'Replaced in 3 captions. 2 captions not saved: EACCES: permission denied.', error: true });
});
