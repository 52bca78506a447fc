import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatDecimal, formatDuration, formatLoss, formatSpeed, parseDecimal, parseSeedList, parseWholeNumber } from '../../../../webview/training/numbers';

const value = (parsed: ReturnType<typeof parseWholeNumber>): number | string => (parsed.ok ? parsed.value : parsed.message);

test('whole numbers take digit groups and exponents, and refuse fractions and words', () => {
  assert.equal(value(parseWholeNumber(' 1,000 ')), 1000);
  assert.equal(value(parseWholeNumber('1 000 000')), 1_000_000);
  assert.equal(value(parseWholeNumber('1_200')), 1200);
  assert.equal(value(parseWholeNumber('1e3')), 1000);
  assert.equal(value(parseWholeNumber('-3')), -3);
  assert.equal(value(parseWholeNumber('')), 'Enter a whole number.');
  assert.equal(value(parseWholeNumber('12.5')), 'Enter a whole number, not 12.5.');
  assert.equal(value(parseWholeNumber('12,34')), '“12,34” is not a whole number.');
  assert.equal(value(parseWholeNumber('ten')), '“ten” is not a whole number.');
  assert.equal(value(parseWholeNumber('1e30')), 'This number is too large.');
});

test('decimals take a point and exponents; a decimal comma is named', () => {
  assert.equal(value(parseDecimal('0.0001')), 0.0001);
  assert.equal(value(parseDecimal('1e-4')), 0.0001);
  assert.equal(value(parseDecimal('.5')), 0.5);
  assert.equal(value(parseDecimal('1,000.5')), 1000.5);
  assert.equal(value(parseDecimal('0,5')), 'Use a point for decimals: 0.5.');
  assert.equal(value(parseDecimal('1e999')), 'This number is too large.');
  assert.match(String(value(parseDecimal('fast'))), /is not a number/);
});

test('small rates are shown back in exponent form', () => {
  assert.equal(formatDecimal(0.0001), '1e-4');
  assert.equal(formatDecimal(0.00015), '1.5e-4');
  assert.equal(formatDecimal(16), '16');
  assert.equal(formatDecimal(0.5), '0.5');
});

test('seeds are whole numbers, separated by commas or spaces, each once', () => {
  assert.deepEqual(parseSeedList('42, 1234 42'), { seeds: [42, 1234], error: null });
  assert.equal(parseSeedList('').error, 'Give at least one seed, such as 42.');
  assert.match(parseSeedList('42, x').error!, /“x” is not a seed/);
});

test('figures read like the trainer’s', () => {
  assert.equal(formatDuration(45), '45 s');
  assert.equal(formatDuration(723), '12 min 03 s');
  assert.equal(formatDuration(7500), '2 h 05 min');
  assert.equal(formatDuration(null), '—');
  assert.equal(formatSpeed(1.5512), '1.55 it/s');
  assert.equal(formatSpeed(0.25), '4.00 s/it');
  assert.equal(formatSpeed(null), '—');
  assert.equal(formatLoss(0.0912345), '0.09123');
  assert.equal(formatLoss(Number.NaN), 'nan');
  assert.equal(formatLoss(null), '—');
  assert.equal(formatBytes(37_748_736), '36.0 MiB');
});
