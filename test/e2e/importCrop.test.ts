// End-to-end: importing a picture that is not square into the sample studio's dataset, choosing
// which square of it to keep. The picture is shown beside the question; the training image keeps
// the square asked for.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { blue, pixelAt, red, sizeOf, writeSplitImage } from '../support/datasetImages';
import { contextMenu, e2eTimeout as timeout, imagePainted, inSession, openContainer, screenshot, treeItem, until } from './harness';

test('Import Images asks which square of a picture that is not square to keep, and keeps it', { timeout }, async () => {
  const incoming = { file: '' };
  await inSession(
    {
      name: 'import-crop',
      studio: 'sample',
      prepare: async (folder) => {
        // Stored 700×300 with its left half red, shown turned a quarter clockwise: 300×700, red on top, blue below.
        incoming.file = path.join(folder, 'incoming', 'tall_photo.png');
        await writeSplitImage(incoming.file, 700, 300, 350, red, blue, 6);
      },
    },
    async ({ page, folder }) => {
      await openContainer(page, 'StudioNOVA');
      const row = treeItem(page, 'Studio', 'spyke');
      await row.waitFor({ timeout: 30_000 });
      await contextMenu(page, row, 'Import Images…');

      // VS Code's own file dialog in a browser: the path typed into its box.
      const dialog = page.locator('.quick-input-widget', { hasText: 'Import images into datasets/spyke' });
      await dialog.waitFor({ timeout: 15_000 });
      // Typing before the dialog has listed its first folder would be overwritten by it.
      await dialog.locator('.monaco-list-row', { hasText: 'incoming' }).waitFor({ timeout: 15_000 });
      await dialog.locator('input.input').fill(incoming.file);
      await dialog.locator('.monaco-list-row', { hasText: 'tall_photo.png' }).waitFor({ timeout: 15_000 });
      await dialog.locator('input.input').press('Enter');

      const how = page.locator('.quick-input-widget', { hasText: 'Choose the crop for each picture…' });
      await how.waitFor({ timeout: 15_000 });
      assert.match((await how.locator('input.input').getAttribute('placeholder')) ?? '', /^1 of the 1 picture is not square/);
      await how.locator('.monaco-list-row', { hasText: 'Choose the crop for each picture…' }).click();

      const which = page.locator('.quick-input-widget', { hasText: 'tall_photo.png (1 of 1)' });
      await which.waitFor({ timeout: 15_000 });
      assert.match((await which.locator('input.input').getAttribute('placeholder')) ?? '', /^300×700, shown beside/);
      for (const label of ['Centre', 'Top', 'Bottom']) await which.locator('.monaco-list-row .label-name', { hasText: new RegExp(`^${label}$`) }).waitFor();
      // The picture itself, beside the question, upright.
      await page.locator('.tabs-container .tab', { hasText: 'tall_photo.png' }).waitFor({ timeout: 15_000 });
      const picture = page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame').locator('img');
      await imagePainted(picture, 'the picture beside the question', { appearMs: 15_000, paintMs: 15_000 });
      await screenshot(page, 'import-crop-choice');
      // Chosen with the keyboard: a hover label over the list may cover the row.
      await which.locator('input.input').fill('Bottom');
      await which.locator('.monaco-list-row.focused', { hasText: 'keeps the 300×300 square at the bottom' }).waitFor();
      await which.locator('input.input').press('Enter');

      await page.locator('.notification-toast', { hasText: /Imported 1 image/ }).waitFor({ timeout: 60_000 });
      const image = path.join(folder, 'datasets', 'spyke', 'tall_photo.png');
      await until('the training image is written', 10_000, () => existsSync(image));
      assert.deepEqual(await sizeOf(image), { width: 512, height: 512, format: 'png' });
      // The bottom square is all blue: the red top was left out.
      assert.deepEqual([await pixelAt(image, 5, 5), await pixelAt(image, 256, 256), await pixelAt(image, 506, 506)], [blue, blue, blue]);
      // The picture shown for the question is closed again.
      await page.locator('.tabs-container .tab', { hasText: 'tall_photo.png' }).waitFor({ state: 'detached', timeout: 10_000 });
      await treeItem(page, 'Studio', 'spyke').filter({ hasText: '4 images' }).waitFor({ timeout: 15_000 });
      await screenshot(page, 'import-crop-done');
    },
  );
});
