import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readChartColors, withAlpha } from '../../../../webview/training/chartColors';

test('a theme colour is made faint in every form VS Code writes it', () => {
  assert.equal(withAlpha('#3794ff', 0.3), 'rgba(55, 148, 255, 0.3)');
  assert.equal(withAlpha('#fff', 0.5), 'rgba(255, 255, 255, 0.5)');
  assert.equal(withAlpha('#3794ff80', 0.5), 'rgba(55, 148, 255, 0.251)');
  assert.equal(withAlpha('rgb(10, 20, 30)', 0.3), 'rgba(10, 20, 30, 0.3)');
  assert.equal(withAlpha('rgba(10, 20, 30, 0.5)', 0.5), 'rgba(10, 20, 30, 0.25)');
  assert.equal(withAlpha('royalblue', 0.3), 'royalblue');
});

test('the chart takes its colours from the theme’s chart variables, with fallbacks', () => {
  const theme: Record<string, string> = { '--vscode-charts-blue': ' #1a85ff', '--vscode-charts-orange': '#d18616' };
  const colors = readChartColors((name) => theme[name] ?? '');
  assert.equal(colors.smoothed, '#1a85ff');
  assert.equal(colors.raw, 'rgba(26, 133, 255, 0.3)');
  assert.equal(colors.average, '#d18616');
  assert.equal(colors.checkpoint, '#b180d7');
});
