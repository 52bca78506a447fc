// End-to-end: checking the sample studio's dataset from the Studio view (findings in Problems,
// the summary beside the editor), and adding and removing flipped copies.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { contextMenu, e2eTimeout as timeout, inSession, openContainer, runCommand, screenshot, treeItem, until } from './harness';

async function datasetAction(page: Page, action: string): Promise<void> {
  const row = treeItem(page, 'Studio', 'spyke').filter({ hasText: 'captioned' });
  await row.waitFor({ timeout: 30_000 });
  await contextMenu(page, row, action);
}

test('Check Dataset reports in Problems and the editor; flipped copies come and go', { timeout }, async () => {
  await inSession({ name: 'datasets', studio: 'sample' }, async ({ page, folder }) => {
    await openContainer(page, 'StudioNOVA');
    await datasetAction(page, 'Check Dataset');
    // The summary, beside the editor.
    await page.locator('.tabs-container .tab', { hasText: 'spyke.md' }).waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor .view-lines').getByText(/^#\sDataset\sspyke$/).waitFor();
    await page.locator('.monaco-editor .view-lines').getByText(/error\*\*\s+stop\s+a\s+training/).waitFor();
    // The findings, on their files.
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const problems = page.locator('.markers-panel');
    await problems.getByText(/spyke_003\.png has no caption/).waitFor();
    await problems.getByText(/15.20/).first().waitFor();
    // And on the dataset in the tree.
    await treeItem(page, 'Studio', 'spyke').filter({ hasText: '1 error, 1 warning' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'dataset-check');

    const dataset = path.join(folder, 'datasets', 'spyke');
    await datasetAction(page, 'Add Flipped Copies');
    await page.locator('.notification-toast', { hasText: /Added 3 flipped copies to spyke/ }).waitFor({ timeout: 30_000 });
    for (const stem of ['spyke_001', 'spyke_002', 'spyke_003']) assert.ok(existsSync(path.join(dataset, `${stem}_flip.png`)), `${stem}_flip.png`);
    // A caption comes along where there is one.
    assert.equal(await readFile(path.join(dataset, 'spyke_001_flip.txt'), 'utf8'), await readFile(path.join(dataset, 'spyke_001.txt'), 'utf8'));
    await treeItem(page, 'Studio', 'spyke').filter({ hasText: '6 images' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'dataset-flipped');

    await datasetAction(page, 'Remove Flipped Copies');
    await until('the flips are gone', 15_000, () => !existsSync(path.join(dataset, 'spyke_001_flip.png')));
    await treeItem(page, 'Studio', 'spyke').filter({ hasText: '3 images' }).waitFor({ timeout: 15_000 });
  });
});
