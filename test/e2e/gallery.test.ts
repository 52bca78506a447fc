// End-to-end: the Gallery panel in a real VS Code on the sample studio, after a generation
// against the ComfyUI test double and with images dropped in by other tools: thumbnails,
// filters, the detail view with each image's parameters, a re-run that appears live, comparing
// two images, and the filters kept when the panel is closed and opened again.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { withPngText } from '../../src/core/metadata/pngText';
import { manifestFile, ratingsFile, sidecarOf } from '../../src/core/studio/layout';
import { manifestEntry } from '../support/manifestEntry';
import { writeSamplePng } from '../support/samplePng';
import { managedComfy, withComfyBase } from './comfyDouble';
import { contextMenu, e2eTimeout as timeout, imagePainted, inSession, openContainer, runCommand, screenshot, treeItem, until, webviewPanel } from './harness';

/** Two images from other tools, their parameters only in their own PNG text chunks. */
async function dropForeignImages(folder: string): Promise<void> {
  const imports = path.join(folder, 'output', 'imports');
  await mkdir(imports, { recursive: true });
  const a1111 = path.join(imports, 'lighthouse.png');
  await writeSamplePng(a1111, 512, 768, 7);
  await writeFile(
    a1111,
    withPngText(await readFile(a1111), [
      { keyword: 'parameters', text: 'a lighthouse at dusk, volumetric light\nNegative prompt: blurry\nSteps: 28, Sampler: DPM++ 2M, CFG scale: 6.5, Seed: 4242, Size: 512x768, Model: sd_xl_base_1.0' },
    ]),
  );
  const comfy = path.join(imports, 'ComfyUI_00001_.png');
  await writeSamplePng(comfy, 768, 512, 11);
  const graph = {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'dreamshaper_8.safetensors' } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a castle above the clouds', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'lowres', clip: ['4', 1] } },
    '3': { class_type: 'KSampler', inputs: { seed: 99, steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0] } },
  };
  await writeFile(comfy, withPngText(await readFile(comfy), [{ keyword: 'prompt', text: JSON.stringify(graph) }]));
}

const cell = (gallery: FrameLocator, name: string): Locator => gallery.locator(`[role=gridcell][aria-label="${name}"]`);

/** Waits until the cell's thumbnail has loaded, i.e. the picture is really on screen. */
async function thumbnailShown(gallery: FrameLocator, name: string): Promise<void> {
  await imagePainted(cell(gallery, name).locator('img.thumb'), `the thumbnail of ${name}`);
}

async function generatePanelOne(page: Page): Promise<void> {
  await openContainer(page, 'StudioNOVA');
  await treeItem(page, 'Studio', 'Page 1').click();
  const lens = (text: string): Locator => page.locator('.codelens-decoration a').filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) });
  await lens('Generate').first().waitFor({ timeout: 30_000 });
  await lens('Generate').first().click();
  await lens('done').waitFor({ timeout: 90_000 });
}

test('the gallery shows every image with its thumbnail, filters, details, re-runs live, compares and keeps its filters', { timeout: 2 * timeout }, async () => {
  await withComfyBase(async (base) => {
    await inSession({ name: 'gallery', studio: 'sample', settings: managedComfy(base, 60), prepare: dropForeignImages }, async ({ page, folder }) => {
      await generatePanelOne(page);
      await runCommand(page, 'StudioNOVA: Open Gallery');
      const gallery = webviewPanel(page);
      await gallery.locator('[role=grid][aria-label="Images"]').waitFor({ timeout: 30_000 });
      await gallery.locator('#gallery-count').getByText('3 of 3 images').waitFor();
      for (const name of ['ch01_p001_v1.png', 'lighthouse.png', 'ComfyUI_00001_.png']) await thumbnailShown(gallery, name);
      await screenshot(page, 'gallery-grid');

      // Search over prompts: only the Automatic1111 image speaks of a lighthouse.
      await gallery.locator('#filter-text').fill('lighthouse');
      await gallery.locator('#gallery-count').getByText('1 of 3 images').waitFor();
      await cell(gallery, 'ch01_p001_v1.png').waitFor({ state: 'detached' });
      await screenshot(page, 'gallery-search');
      await gallery.locator('#filter-text').fill('');
      await gallery.locator('#gallery-count').getByText('3 of 3 images').waitFor();

      // The character filter counts Spyke's one image, and shows only it.
      await gallery.locator('#filter-character').click();
      await gallery.getByRole('option', { name: 'Spyke (1)' }).click();
      await gallery.locator('#gallery-count').getByText('1 of 3 images').waitFor();
      await cell(gallery, 'lighthouse.png').waitFor({ state: 'detached' });
      await screenshot(page, 'gallery-filter-character');

      // The detail of the generated image: its parameters from the generation log and sidecar.
      await cell(gallery, 'ch01_p001_v1.png').click();
      await page.keyboard.press('Enter');
      const detail = gallery.locator('[role=dialog][aria-label="Image details"]');
      await detail.getByText('StudioNOVA generation log and workflow sidecar').waitFor();
      await detail.locator('tr', { hasText: 'Seed' }).getByText('1234').waitFor();
      await detail.locator('#detail-prompt').getByText(/spyke_plasma_v1/).waitFor();
      await screenshot(page, 'gallery-detail');

      // Re-run from the detail: the new version appears in the grid while the panel is open.
      await detail.locator('vscode-button[data-action="rerun"]').click();
      await detail.locator('[role=status]').getByText(/Re-running ch01_p001_v1\.png/).waitFor();
      await page.keyboard.press('Escape');
      await detail.waitFor({ state: 'detached' });
      await cell(gallery, 'ch01_p001_v2.png').waitFor({ timeout: 90_000 });
      await thumbnailShown(gallery, 'ch01_p001_v2.png');
      await gallery.locator('#gallery-count').getByText('2 of 4 images').waitFor();
      await screenshot(page, 'gallery-rerun-live');

      // Compare the two versions: same everything but nothing differs except the file; a
      // re-run keeps the seed, so the parameters match row for row.
      await cell(gallery, 'ch01_p001_v1.png').click({ modifiers: ['Control'] });
      await cell(gallery, 'ch01_p001_v2.png').click({ modifiers: ['Control'] });
      await gallery.locator('#gallery-compare-marked').click();
      const compare = gallery.locator('[role=dialog][aria-label="Compare images"]');
      await compare.waitFor();
      await compare.locator('.compare-fields tr', { hasText: 'Seed' }).waitFor();
      assert.equal(await compare.locator('.compare-fields tr.differs', { hasText: 'Seed' }).count(), 0);
      await screenshot(page, 'gallery-compare');
      await page.keyboard.press('Escape');

      // An image from Automatic1111: its parameters from its own text chunk.
      await gallery.locator('#filter-character').click();
      await gallery.getByRole('option', { name: 'All' }).click();
      await gallery.locator('#gallery-count').getByText('4 of 4 images').waitFor();
      await cell(gallery, 'lighthouse.png').dblclick();
      await detail.getByText('Automatic1111 parameters in the PNG').waitFor();
      await detail.locator('tr', { hasText: 'Steps' }).getByText('28').waitFor();
      await detail.locator('#detail-prompt').getByText('a lighthouse at dusk, volumetric light').waitFor();
      await screenshot(page, 'gallery-detail-a1111');
      await page.keyboard.press('Escape');

      // Closing and opening the gallery again keeps its filters.
      await gallery.locator('#filter-text').fill('castle');
      await gallery.locator('#gallery-count').getByText('1 of 4 images').waitFor();
      await page.waitForTimeout(600); // the state is saved after a short pause
      await runCommand(page, 'View: Close Editor');
      await runCommand(page, 'StudioNOVA: Open Gallery');
      await gallery.locator('#gallery-count').getByText('1 of 4 images').waitFor({ timeout: 30_000 });
      assert.equal(await gallery.locator('#filter-text').inputValue(), 'castle');
      await cell(gallery, 'ComfyUI_00001_.png').waitFor();
      await screenshot(page, 'gallery-reopened');

      // The thumbnails are cached under the studio's index folder.
      const thumbs = (await readdir(path.join(folder, '.studio', 'thumbs'))).filter((name) => name.endsWith('.webp'));
      assert.ok(thumbs.length >= 4, `thumbnails cached: ${thumbs.join(', ')}`);
    });
  });
});

/** Two versions of panel 1 made earlier, as the generation queue leaves them, and one image from elsewhere. */
async function previousGenerations(folder: string): Promise<void> {
  const raw = path.join(folder, 'output', 'ch-01', 'raw');
  await mkdir(raw, { recursive: true });
  const lines: string[] = [];
  for (const version of [1, 2]) {
    const image = `output/ch-01/raw/ch01_p001_v${version}.png`;
    await writeSamplePng(path.join(folder, image), 512, 768, 20 + version);
    await writeFile(path.join(folder, sidecarOf(image)), '{}');
    const entry = manifestEntry(image, { kind: 'page', chapter: 1, page: 1, panel: 1 }, 1000 + version);
    lines.push(`${JSON.stringify({ ...entry, createdAt: `2026-11-0${version}T10:00:00.000Z` })}\n`);
  }
  await writeFile(path.join(folder, manifestFile), lines.join(''));
  await mkdir(path.join(folder, 'output', 'imports'), { recursive: true });
  await writeSamplePng(path.join(folder, 'output', 'imports', 'sketch.png'), 256, 256, 5);
}

test('the gallery in a dark theme: opened from a page, CSP, keyboard, rating, approval, hiding and deleting', { timeout }, async () => {
  await inSession(
    { name: 'gallery-dark', studio: 'sample', prepare: previousGenerations, settings: { 'workbench.colorTheme': 'Default Dark Modern' } },
    async ({ page, folder }) => {
      await openContainer(page, 'StudioNOVA');
      // From the tree: the page's images only.
      const pageRow = treeItem(page, 'Studio', 'Page 1');
      await contextMenu(page, pageRow, 'Open Gallery');
      const gallery = webviewPanel(page);
      await gallery.locator('#gallery-count').getByText('2 of 3 images').waitFor({ timeout: 30_000 });
      await thumbnailShown(gallery, 'ch01_p001_v2.png');

      // The page is locked down: a nonce'd script, nothing allowed by default.
      const csp = await gallery.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.match(csp ?? '', /default-src 'none'/);
      assert.match(csp ?? '', /script-src 'nonce-[A-Za-z0-9+/=]{20,}'/);
      assert.doesNotMatch(csp ?? '', /unsafe-inline|unsafe-eval/);

      // Keyboard: Home selects the first image (the newest), the right arrow the next one.
      const grid = gallery.locator('[role=grid][aria-label="Images"]');
      await grid.focus();
      await page.keyboard.press('Home');
      await gallery.locator('[role=gridcell][aria-selected="true"][aria-label="ch01_p001_v2.png"]').waitFor();
      await page.keyboard.press('ArrowRight');
      await gallery.locator('[role=gridcell][aria-selected="true"][aria-label="ch01_p001_v1.png"]').waitFor();
      await screenshot(page, 'gallery-dark-grid');

      // Enter opens it; four stars are written to output/ratings.json; Approve copies it.
      await page.keyboard.press('Enter');
      const detail = gallery.locator('[role=dialog][aria-label="Image details"]');
      await detail.locator('tr', { hasText: 'Seed' }).getByText('1001').waitFor();
      await detail.getByRole('button', { name: 'Rate 4 of 5' }).click();
      await detail.getByRole('button', { name: '4 of 5 stars, press to clear' }).waitFor();
      await until('the rating is saved', 10_000, async () => (await readFile(path.join(folder, ratingsFile), 'utf8').catch(() => '')).includes('"output/ch-01/raw/ch01_p001_v1.png": 4'));
      await detail.locator('vscode-button[data-action="approve"]').click();
      await detail.locator('vscode-button[data-action="unapprove"]').waitFor({ timeout: 15_000 });
      assert.ok(existsSync(path.join(folder, 'output', 'ch-01', 'approved', 'ch01_p001_v1.png')));
      await screenshot(page, 'gallery-dark-detail');
      await page.keyboard.press('Escape');
      await detail.waitFor({ state: 'detached' });

      // Hidden behind the page file and shown again: the webview is rebuilt with the same filter and selection.
      await page.locator('.tabs-container .tab', { hasText: 'Gallery' }).waitFor();
      await treeItem(page, 'Studio', 'Page 1').click();
      await page.locator('.tabs-container .tab.active', { hasText: 'p001.page.md' }).waitFor();
      await page.locator('.tabs-container .tab', { hasText: 'Gallery' }).click();
      await gallery.locator('#gallery-count').getByText('2 of 3 images').waitFor({ timeout: 30_000 });
      await gallery.locator('[role=gridcell][aria-selected="true"][aria-label="ch01_p001_v1.png"]').waitFor();
      // The approved version is marked in the grid.
      await gallery.locator('[role=gridcell].approved[aria-label="ch01_p001_v1.png"]').waitFor();

      // Delete asks first; the raw image and its sidecar leave the studio, its approved copy stays and takes its place.
      await grid.focus();
      await page.keyboard.press('Delete');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.getByText('Delete ch01_p001_v1.png?').waitFor();
      await dialog.getByText(/Its approved copy stays/).waitFor();
      await screenshot(page, 'gallery-dark-delete');
      await dialog.getByRole('button', { name: 'Move to Trash' }).click();
      await gallery.locator('[role=gridcell][data-path="output/ch-01/raw/ch01_p001_v1.png"]').waitFor({ state: 'detached', timeout: 30_000 });
      await gallery.locator('[role=gridcell][data-path="output/ch-01/approved/ch01_p001_v1.png"]').waitFor();
      await gallery.locator('#gallery-count').getByText('2 of 3 images').waitFor();
      assert.equal(existsSync(path.join(folder, 'output', 'ch-01', 'raw', 'ch01_p001_v1.png')), false);
      assert.equal(existsSync(path.join(folder, 'output', 'ch-01', 'raw', 'ch01_p001_v1.workflow.json')), false);
    },
  );
});
