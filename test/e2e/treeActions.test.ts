// End-to-end tests of what a tree item offers: open on click, delete from its context menu, and
// attaching training images behind the responsible-use confirmation.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { contextMenu as chooseFromMenu, e2eTimeout as timeout, inSession, openContainer, screenshot, treeItem, until } from './harness';

const contextMenu = (page: Page, label: string, action: string): Promise<void> =>
  chooseFromMenu(page, treeItem(page, 'Studio', label), action);

const dialog = (page: Page) => page.locator('.monaco-dialog-box');

test('clicking a character opens its file; Delete asks first, then moves it to the trash', { timeout }, async () => {
  await inSession({ name: 'delete-character', studio: 'sample' }, async ({ page, folder }) => {
    await openContainer(page, 'StudioNOVA');
    await treeItem(page, 'Studio', 'Spyke').click();
    await page.locator('.tabs-container .tab', { hasText: 'character.md' }).waitFor();

    await contextMenu(page, 'Spyke', 'Delete');
    await dialog(page).getByText('Delete character "Spyke"?').waitFor();
    await screenshot(page, 'delete-character-confirm');
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    assert.ok(existsSync(path.join(folder, 'characters', 'spyke', 'character.md')), 'Cancel keeps the character');

    await contextMenu(page, 'Spyke', 'Delete');
    await dialog(page).getByRole('button', { name: 'Move to Trash' }).click();
    await until('characters/spyke is gone', 10_000, () => !existsSync(path.join(folder, 'characters', 'spyke')));
    await treeItem(page, 'Studio', 'New Character…').waitFor();
    // The system trash where the server has one, else the studio's own.
    const studioTrash = path.join(folder, '.studio', 'trash');
    const kept = existsSync(studioTrash)
      ? (await readdir(studioTrash, { recursive: true })).some((entry) => entry.endsWith(path.join('spyke', 'character.md')))
      : existsSync(path.join(homedir(), '.local', 'share', 'Trash', 'files', 'spyke', 'character.md'));
    assert.ok(kept, 'the deleted character can be restored from a trash');
    await screenshot(page, 'delete-character-done');
  });
});

test('attaching training images asks for the responsible-use confirmation once per character', { timeout }, async () => {
  const addNova = async (folder: string): Promise<void> => {
    await mkdir(path.join(folder, 'characters', 'nova'));
    await writeFile(path.join(folder, 'characters', 'nova', 'character.md'), '---\nname: Nova\ntrigger: nova_v1\nclass: woman\n---\n');
  };
  await inSession({ name: 'attach-consent', studio: 'sample', prepare: addNova }, async ({ page, folder }) => {
    await openContainer(page, 'StudioNOVA');
    const consent = path.join(folder, 'characters', 'nova', 'consent.json');

    await contextMenu(page, 'Nova', 'Attach Training Images…');
    await dialog(page).getByText('Training images for Nova').waitFor();
    await screenshot(page, 'attach-consent-confirm');
    await dialog(page).getByRole('button', { name: 'I Confirm' }).click();
    await until('consent.json is written', 10_000, () => existsSync(consent));
    const record = JSON.parse(await readFile(consent, 'utf8')) as { confirmedAt: string; statement: string };
    assert.match(record.statement, /rights to these images/);
    assert.ok(Date.now() - Date.parse(record.confirmedAt) < 120_000);
    // Then the file picker opens; leaving it attaches nothing.
    await page.locator('.quick-input-widget').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });

    await contextMenu(page, 'Nova', 'Attach Training Images…');
    await page.locator('.quick-input-widget').waitFor();
    assert.equal(await dialog(page).count(), 0, 'no second confirmation for the same character');
    await page.keyboard.press('Escape');
  });
});
