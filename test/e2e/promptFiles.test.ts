// End-to-end: a page file in a real VS Code — lenses, problems as you type with quick fixes,
// completions and hover — and Generate from a lens against the ComfyUI test double, down to the
// version in the tree, its files, approving it and running it again.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { managedComfy, withComfyBase } from './comfyDouble';
import { contextMenu, e2eTimeout as timeout, inSession, openContainer, runCommand, screenshot, treeItem, until } from './harness';

const pagePath = path.join('chapters', 'ch-01', 'p001.page.md');

/** The lens with exactly this text (its icon aside), the n-th from the top. */
function lens(page: Page, text: string | RegExp, nth = 0): Locator {
  const exact = typeof text === 'string' ? new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) : text;
  return page.locator('.codelens-decoration a').filter({ hasText: exact }).nth(nth);
}

async function openSamplePage(page: Page): Promise<void> {
  await openContainer(page, 'StudioNOVA');
  await treeItem(page, 'Studio', 'Page 1').click();
  await page.locator('.tabs-container .tab', { hasText: 'p001.page.md' }).waitFor();
  await lens(page, 'Generate page').waitFor({ timeout: 30_000 });
}

/** Types lines at the end of the open editor; Escape closes any suggestion before each Enter. */
async function appendLines(page: Page, lines: readonly string[]): Promise<void> {
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+End');
  for (const line of lines) {
    await page.keyboard.press('Enter');
    await page.keyboard.type(line);
    await page.keyboard.press('Escape');
  }
}

async function goToLine(page: Page, line: number, column = 1): Promise<void> {
  await page.keyboard.press('Control+G');
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
}

const problems = (page: Page): Locator => page.locator('.markers-panel');

test('a page file shows its lenses, checks as you type with quick fixes, completes and hovers', { timeout }, async () => {
  await inSession({ name: 'prompt-editing', studio: 'sample' }, async ({ page, folder }) => {
    await openSamplePage(page);
    for (const text of ['Generate', 'Generate ×4', 'Versions (0)']) {
      await lens(page, text, 0).waitFor();
      await lens(page, text, 1).waitFor();
    }
    await screenshot(page, 'prompt-lenses');

    await appendLines(page, ['## Panel 3 — rooftop', 'spyke_plasma_v1, on a rooftop, dawn', 'size: 1024x1024', 'character: spyk']);
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    await problems(page).getByText(/size: 1024×1024 is over the Apple M1, 16 GB limit of 512×768/).waitFor();
    await problems(page).getByText(/character: no character "spyk" in this studio\. Did you mean "spyke"\?/).waitFor();
    // The third panel got its lenses as soon as it was typed.
    await lens(page, 'Generate', 2).waitFor();
    await screenshot(page, 'prompt-problems');

    // Quick fix on the size: clamped to the profile's limit, the panel's orientation kept.
    await goToLine(page, 21, 8);
    const clamp = page.locator('.action-widget').getByText('Clamp to 512x768');
    // The lightbulb's actions are computed after the cursor moves; a key pressed before that shows nothing.
    await until('the quick fix is offered', 15_000, async () => {
      await page.keyboard.press('Control+.');
      return clamp.waitFor({ timeout: 1_500 }).then(
        () => true,
        () => false,
      );
    });
    await screenshot(page, 'prompt-quick-fix');
    await page.keyboard.press('Enter');
    await page.locator('.view-line', { hasText: 'size: 512x768' }).waitFor();
    await until('the size problem is gone', 10_000, async () => (await problems(page).getByText(/1024×1024/).count()) === 0);

    // Completion of the character id, replacing what was typed.
    await goToLine(page, 22, 16);
    // Ctrl+Space belongs to the browser here; the command is what the key runs in VS Code.
    await runCommand(page, 'Trigger Suggest');
    await page.locator('.suggest-widget .monaco-list-row', { hasText: 'spyke' }).waitFor();
    await screenshot(page, 'prompt-completion');
    await page.keyboard.press('Enter');
    await page.locator('.view-line', { hasText: /^character:\s+spyke$/ }).waitFor();
    await until('the character problem is gone', 10_000, async () => (await problems(page).getByText(/no character "spyk"/).count()) === 0);

    // Hover on the page's character: trigger word, LoRA and the reference image.
    await goToLine(page, 22, 14);
    await runCommand(page, 'Show or Focus Hover');
    const hover = page.locator('.monaco-hover');
    await hover.getByText('Trigger word: spyke_plasma_v1').waitFor();
    await hover.getByText('LoRA: spyke_plasma_v1.safetensors').waitFor();
    await until('the reference image has loaded', 10_000, () => hover.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0).catch(() => false));
    await screenshot(page, 'prompt-hover');

    await page.keyboard.press('Control+S');
    await until('the page is saved', 10_000, async () => (await readFile(path.join(folder, pagePath), 'utf8')).includes('character: spyke\n') || (await readFile(path.join(folder, pagePath), 'utf8')).endsWith('character: spyke'));
  });
});

test('Generate from a lens saves a version of the panel that the tree shows, approves and re-runs', { timeout: 2 * timeout }, async () => {
  await withComfyBase(async (base) => {
    await inSession({ name: 'prompt-generate', studio: 'sample', settings: managedComfy(base, 250) }, async ({ page, folder }) => {
      await openSamplePage(page);
      await lens(page, 'Generate', 0).click();
      // The lens follows the job: queued or running with a percentage (about 6 s an image here), then done.
      await lens(page, /^\s*(queued|\d+ %)\s*$/).waitFor({ timeout: 60_000 });
      await screenshot(page, 'prompt-generate-running');
      await lens(page, 'done').waitFor({ timeout: 90_000 });
      await lens(page, 'Versions (1)').waitFor({ timeout: 30_000 });
      await screenshot(page, 'prompt-generate-done');

      const raw = path.join(folder, 'output', 'ch-01', 'raw');
      for (const name of ['ch01_p001_v1.png', 'ch01_p001_v1.workflow.json']) assert.ok(existsSync(path.join(raw, name)), name);
      const manifest = (await readFile(path.join(folder, 'output', 'generation-log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(manifest.length, 1);
      assert.deepEqual(manifest[0]!['target'], { kind: 'page', chapter: 1, page: 1, panel: 1 });
      assert.equal(manifest[0]!['seed'], 1234);
      assert.equal(manifest[0]!['promptFile'], 'chapters/ch-01/p001.page.md');

      // The tree: chapter → page → panel → version, the image as its icon.
      await treeItem(page, 'Studio', 'Page 1').locator('.monaco-tl-twistie').click();
      await treeItem(page, 'Studio', 'Panel 1').waitFor();
      await treeItem(page, 'Studio', 'Panel 1').locator('.monaco-tl-twistie').click();
      const v1 = treeItem(page, 'Studio', 'v1');
      await v1.waitFor();
      await v1.getByText('seed 1234').waitFor();

      await contextMenu(page, v1, 'Approve Version');
      const approved = path.join(folder, 'output', 'ch-01', 'approved', 'ch01_p001_v1.png');
      await until('the approved copy exists', 10_000, () => existsSync(approved));
      assert.deepEqual(await readFile(approved), await readFile(path.join(raw, 'ch01_p001_v1.png')));
      await treeItem(page, 'Studio', 'v1').getByText(/★ approved/).waitFor();
      await treeItem(page, 'Studio', 'Panel 1').getByText(/v1 approved/).waitFor();
      await screenshot(page, 'prompt-approved');

      await contextMenu(page, treeItem(page, 'Studio', 'v1'), 'Re-run with the Same Parameters');
      await until('v2 is saved', 90_000, () => existsSync(path.join(raw, 'ch01_p001_v2.workflow.json')) && existsSync(path.join(raw, 'ch01_p001_v2.png')));
      assert.equal(await readFile(path.join(raw, 'ch01_p001_v2.workflow.json'), 'utf8'), await readFile(path.join(raw, 'ch01_p001_v1.workflow.json'), 'utf8'));
      await treeItem(page, 'Studio', 'v2').waitFor({ timeout: 30_000 });
      await lens(page, 'Versions (2)').waitFor({ timeout: 30_000 });
      await screenshot(page, 'prompt-rerun');

      // With ComfyUI up, its sampler names are checked too, with the closest one as a fix.
      await appendLines(page, ['sampler: euler_ancestrl']);
      await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
      await problems(page).getByText(/sampler: ComfyUI has no sampler "euler_ancestrl"\. Did you mean "euler_ancestral"\?/).waitFor({ timeout: 30_000 });
      await screenshot(page, 'prompt-sampler-problem');
    });
  });
});
