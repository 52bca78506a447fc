// End-to-end: Generate Image in a real VS Code against the ComfyUI test double, started by the
// extension itself in managed mode exactly as it starts the real ComfyUI (python3 main.py …).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { comfyBase, managedComfy } from './comfyDouble';
import { answerInputBoxes, e2eTimeout as timeout, inSession, openContainer, repoRoot, runCommand, screenshot, treeItem, until } from './harness';

async function pickQuick(page: Page, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.monaco-list-row', { hasText: label }).first().click();
}

test('Generate Image starts the managed engine and saves images with sidecars and manifest lines', { timeout }, async () => {
  const base = await comfyBase();
  try {
    await inSession({ name: 'generate-image', studio: 'sample', settings: managedComfy(base) }, async ({ page, folder }) => {
      await openContainer(page, 'StudioNOVA');
      await treeItem(page, 'Studio', 'Spyke').waitFor();
      await runCommand(page, 'StudioNOVA: Generate Image');
      await pickQuick(page, 'Spyke');
      const prefilled = await answerInputBoxes(page, [{ prompt: 'Prompt', value: 'spyke_plasma_v1, running through a neon alley, rain' }, { prompt: 'Negative prompt' }]);
      assert.equal(prefilled[0], 'spyke_plasma_v1, ');
      await pickQuick(page, '512×768');
      await answerInputBoxes(page, [{ prompt: 'Seed', value: '42' }, { prompt: 'How many images', value: '2' }]);
      await page.getByText(/Generating 2 images of Spyke/).first().waitFor({ timeout: 60_000 });
      // The Queue view while a job runs, and the progress notification with its Cancel button.
      await page.locator('.monaco-list-row', { hasText: /seed 42\s*\d+ % · step \d+\/24/ }).first().waitFor({ timeout: 60_000 });
      await page.locator('.notification-toast', { hasText: /Generating 2 images of Spyke/ }).getByRole('button', { name: 'Cancel' }).waitFor();
      await screenshot(page, 'generate-image-running');
      const saved = page.locator('.notification-toast', { hasText: /Saved 2 images/ });
      await saved.waitFor({ timeout: 90_000 });
      await screenshot(page, 'generate-image-done');
      await saved.getByRole('button', { name: 'Open', exact: true }).click();
      await page.locator('.tabs-container .tab', { hasText: 'spyke_v2.png' }).waitFor();
      // VS Code's image preview is a webview: wait until the picture itself has loaded.
      await page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator('img').waitFor();
      await screenshot(page, 'generate-image-opened');

      const raw = path.join(folder, 'output', 'spyke', 'raw');
      for (const name of ['spyke_v1.png', 'spyke_v1.workflow.json', 'spyke_v2.png', 'spyke_v2.workflow.json']) {
        assert.ok(existsSync(path.join(raw, name)), name);
      }
      const manifest = (await readFile(path.join(folder, 'output', 'generation-log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { seed: number; lora: { name: string } });
      assert.deepEqual(manifest.map((m) => m.seed).sort(), [42, 43]);
      assert.equal(manifest[0]!.lora.name, 'spyke_plasma_v1.safetensors');
      await page.locator('.statusbar-item', { hasText: /ComfyUI.*preview/i }).first().waitFor();
    });
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

test('a size over the hardware profile is refused before anything is queued, naming the limit', { timeout }, async () => {
  const base = await comfyBase();
  try {
    await inSession({ name: 'generate-too-large', studio: 'sample', settings: managedComfy(base) }, async ({ page, folder }) => {
      await openContainer(page, 'StudioNOVA');
      await treeItem(page, 'Studio', 'Spyke').waitFor();
      await runCommand(page, 'StudioNOVA: Generate Image');
      await pickQuick(page, 'No character');
      await answerInputBoxes(page, [{ prompt: 'Prompt', value: 'a city at night' }, { prompt: 'Negative prompt' }]);
      await pickQuick(page, 'Other size');
      await answerInputBoxes(page, [{ prompt: 'Size as WIDTHxHEIGHT', value: '640x768' }, { prompt: 'Seed' }, { prompt: 'How many images' }]);
      await page.getByText(/640×768 is over the Apple M1, 16 GB limit of 512×768/).first().waitFor();
      await screenshot(page, 'generate-too-large');
      assert.ok(!existsSync(path.join(folder, 'output')), 'nothing was generated');
    });
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

test('an unreachable ComfyUI gives one message with Start and Open Settings', { timeout }, async () => {
  await inSession({ name: 'comfy-unreachable', studio: 'sample', settings: { 'studionova.comfyui.url': 'http://127.0.0.1:9' } }, async ({ page }) => {
    await openContainer(page, 'StudioNOVA');
    await treeItem(page, 'Studio', 'Spyke').waitFor();
    await runCommand(page, 'StudioNOVA: Generate Image');
    await pickQuick(page, 'No character');
    await answerInputBoxes(page, [{ prompt: 'Prompt', value: 'a city' }, { prompt: 'Negative prompt' }]);
    await pickQuick(page, '512×768');
    await answerInputBoxes(page, [{ prompt: 'Seed' }, { prompt: 'How many images' }]);
    const toast = page.locator('.notification-toast', { hasText: 'ComfyUI is not reachable at http://127.0.0.1:9' });
    await toast.waitFor({ timeout: 30_000 });
    await toast.getByRole('button', { name: 'Start' }).waitFor();
    await toast.getByRole('button', { name: 'Open Settings' }).waitFor();
    await screenshot(page, 'comfy-unreachable');
    await until('only one error message is shown', 2_000, async () => (await page.locator('.notification-toast').count()) === 1);
  });
});

test('Show Workflow Slots lists what StudioNOVA fills in a workflow dropped into the studio', { timeout }, async () => {
  const addWorkflow = async (folder: string): Promise<void> => {
    await mkdir(path.join(folder, 'workflows'), { recursive: true });
    const workflow = JSON.parse(await readFile(path.join(repoRoot, 'workflows', 'txt2img-lora.json'), 'utf8')) as Record<string, { _meta?: { title: string } }>;
    workflow['6']!._meta = { title: 'Positive Prompt' };
    await writeFile(path.join(folder, 'workflows', 'my-export.json'), JSON.stringify(workflow));
  };
  await inSession({ name: 'workflow-slots', studio: 'sample', prepare: addWorkflow }, async ({ page }) => {
    await openContainer(page, 'StudioNOVA');
    await treeItem(page, 'Studio', 'Spyke').waitFor();
    await runCommand(page, 'StudioNOVA: Show Workflow Slots');
    await pickQuick(page, 'my-export');
    await page.locator('.view-lines', { hasText: '| lora | 10 (LoraLoader) | lora_name | graph |' }).waitFor();
    await page.locator('.view-lines', { hasText: '| positive | 6 (CLIPTextEncode) | text | title |' }).waitFor();
    await screenshot(page, 'workflow-slots');
  });
});
