// End-to-end: the caption editor of the sample studio's dataset in a real VS Code: opened from the
// dataset's context menu, a tag added through a row's input and saved to disk, "Prepend trigger"
// over every caption (the uncaptioned image gets a file), undo putting the files back, and a
// caption written by another program showing up live, and the editor back on its dataset after a
// window reload.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { captionRow, openCaptionEditor } from './captionEditor';
import { e2eTimeout as timeout, imagePainted, inSession, reloadWindow, screenshot, treeItem, until, webviewPanel } from './harness';

const trigger = 'spyke_plasma_v1';

async function thumbnailShown(editor: FrameLocator, name: string): Promise<void> {
  await imagePainted(captionRow(editor, name).locator('img.thumb'), `the thumbnail of ${name}`);
}

test('the caption editor edits tags, prepends the trigger, undoes, and follows changes on disk', { timeout }, async () => {
  await inSession({ name: 'captions', studio: 'sample' }, async ({ page, folder }) => {
    const dataset = path.join(folder, 'datasets', 'spyke');
    const caption = (stem: string): string => path.join(dataset, `${stem}.txt`);
    const read = (stem: string): Promise<string> => readFile(caption(stem), 'utf8');
    const original = { spyke_001: await read('spyke_001'), spyke_002: await read('spyke_002') };
    assert.equal(existsSync(caption('spyke_003')), false, 'the sample has one uncaptioned image');

    await openCaptionEditor(page);
    await page.locator('.tabs-container .tab', { hasText: 'Captions: spyke' }).waitFor({ timeout: 30_000 });
    const editor = webviewPanel(page);
    await editor.locator('#captions-count').getByText('3 images · 2 captioned').waitFor({ timeout: 30_000 });
    assert.equal(await editor.locator('[role=row]').count(), 3);
    await captionRow(editor, 'spyke_003.png').getByText('no caption').waitFor();
    for (const name of ['spyke_001.png', 'spyke_002.png', 'spyke_003.png']) await thumbnailShown(editor, name);
    await screenshot(page, 'captions-open');

    // Add a tag through the row's input: saved at once.
    const add = captionRow(editor, 'spyke_001.png').locator('input.tag-add');
    await add.fill('smiling');
    await add.press('Enter');
    await captionRow(editor, 'spyke_001.png').locator('.chip', { hasText: 'smiling' }).waitFor();
    await until('spyke_001.txt has the new tag', 10_000, async () => (await read('spyke_001')).trimEnd().endsWith(', smiling'));
    await screenshot(page, 'captions-tag-added');
    const withTag = await read('spyke_001');

    // Prepend the trigger to every caption: the uncaptioned image gets a file that starts with it.
    await editor.locator('#captions-prepend-trigger').click();
    await editor.locator('#captions-status').getByText(/Prepended spyke_plasma_v1 to 1 caption\b/).waitFor({ timeout: 10_000 });
    await until('spyke_003.txt is written', 10_000, () => existsSync(caption('spyke_003')));
    for (const stem of ['spyke_001', 'spyke_002', 'spyke_003']) assert.ok((await read(stem)).startsWith(trigger), `${stem} starts with the trigger`);
    await editor.locator('#captions-count').getByText('3 images · 3 captioned').waitFor();
    // The Studio view follows once the save is written (the editor holds the studio's refresh while it writes).
    await treeItem(page, 'Studio', 'spyke').filter({ hasText: '3 images · 3 captioned' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'captions-prepended');

    // Undo the batch: the new caption file goes again (an uncaptioned image has none), and the tag edit stays.
    await editor.locator('#captions-undo').click();
    await editor.locator('#captions-status').getByText(/Undid the change to 1 caption/).waitFor({ timeout: 10_000 });
    await editor.locator('#captions-count').getByText('3 images · 2 captioned').waitFor();
    await treeItem(page, 'Studio', 'spyke').filter({ hasText: '3 images · 2 captioned' }).waitFor({ timeout: 15_000 });
    assert.equal(await read('spyke_001'), withTag);
    assert.equal(await read('spyke_002'), original.spyke_002);
    await until('the uncaptioned image is uncaptioned again', 10_000, () => !existsSync(caption('spyke_003')));
    // And the tag edit before it.
    await editor.locator('#captions-undo').click();
    await until('spyke_001.txt is back', 10_000, async () => (await read('spyke_001')) === original.spyke_001);
    await screenshot(page, 'captions-undone');

    // Another program writes a caption: the row follows, live.
    await writeFile(caption('spyke_002'), `${trigger}, full body, jumping, city lights\n`);
    await captionRow(editor, 'spyke_002.png').locator('.chip', { hasText: 'jumping' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'captions-outside-change');

    // A window reload brings the editor back on the same dataset, read from disk again.
    await reloadWindow(page);
    await page.locator('.tabs-container .tab', { hasText: 'Captions: spyke' }).waitFor({ timeout: 60_000 });
    const restored = webviewPanel(page);
    await restored.locator('#captions-count').getByText('3 images · 2 captioned').waitFor({ timeout: 60_000 });
    await captionRow(restored, 'spyke_002.png').locator('.chip', { hasText: 'jumping' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'captions-restored');
  });
});
