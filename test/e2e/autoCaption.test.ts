// End-to-end: Auto-caption in the caption editor of the sample studio, against the Ollama test
// double set as studionova.ollama.url: the form offers the double's vision models and the default
// prompt, the uncaptioned image's caption streams into its row, is saved to disk starting with
// the trigger word, and the run is one undo step. The model and prompt chosen come back when the
// editor is opened again.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { startFakeOllama } from '../support/fakeOllama';
import { captionRow, openCaptionEditor } from './captionEditor';
import { contextMenu, e2eTimeout as timeout, inSession, openContainer, runCommand, screenshot, until, webviewPanel } from './harness';

const trigger = 'spyke_plasma_v1';



test('Auto-caption captions the image without a caption with a local vision model', { timeout }, async () => {
  // Slow tokens, so the caption is seen while it is written.
  const ollama = await startFakeOllama({ args: ['--delay-ms', '200'] });
  try {
    await inSession({ name: 'autocaption', studio: 'sample', settings: { 'studionova.ollama.url': ollama.url } }, async ({ page, folder }) => {
      const dataset = path.join(folder, 'datasets', 'spyke');
      const caption = (stem: string): string => path.join(dataset, `${stem}.txt`);
      const read = (stem: string): Promise<string> => readFile(caption(stem), 'utf8');
      const original = { spyke_001: await read('spyke_001'), spyke_002: await read('spyke_002') };
      assert.equal(existsSync(caption('spyke_003')), false, 'the sample has one uncaptioned image');

      await openCaptionEditor(page);
      const editor = webviewPanel(page);
      await editor.locator('#captions-count').getByText('3 images · 2 captioned').waitFor({ timeout: 30_000 });

      // The form: the double's vision models (the text-only one left out), the default prompt, the scope.
      await editor.locator('#captions-autocaption').click();
      const model = editor.locator('#autocaption-model');
      await model.waitFor({ timeout: 15_000 });
      assert.deepEqual(await model.locator('option').evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value)), ['llava:7b', 'qwen2.5vl:7b']);
      assert.equal(await model.inputValue(), 'llava:7b');
      assert.match(await editor.locator('#autocaption-template').inputValue(), /training captions for a LoRA of \{trigger\}, a \{class\}/);
      await editor.locator('#autocaption-hint').getByText(trigger).waitFor();
      assert.equal(await editor.locator('#autocaption-scope-uncaptioned').isChecked(), true);
      assert.equal(await editor.locator('#autocaption-default-prompt').count(), 0, 'the default prompt needs no way back to it');
      // The user's choice: the other model, and a line of their own in the prompt.
      await model.selectOption('qwen2.5vl:7b');
      const template = editor.locator('#autocaption-template');
      const ownPrompt = `${await template.inputValue()}\nKeep it short.`;
      await template.fill(ownPrompt);
      await editor.locator('#autocaption-default-prompt').waitFor();
      await screenshot(page, 'autocaption-form');

      await editor.locator('#autocaption-start').click();
      const streaming = captionRow(editor, 'spyke_003.png').locator('.caption-streaming');
      await streaming.waitFor({ timeout: 15_000 });
      await until('some of the caption has streamed in', 10_000, async () => ((await streaming.textContent()) ?? '').trim().length > 8);
      await editor.locator('#autocaption-cancel').waitFor();
      await screenshot(page, 'autocaption-streaming');

      await editor.locator('#captions-status').getByText(/Auto-captioned 1 caption\b/).waitFor({ timeout: 30_000 });
      await until('spyke_003.txt is written', 10_000, () => existsSync(caption('spyke_003')));
      const written = await read('spyke_003');
      assert.ok(written.startsWith(`${trigger}, `), written);
      await captionRow(editor, 'spyke_003.png').locator('.chip', { hasText: trigger }).waitFor();
      await editor.locator('#captions-count').getByText('3 images · 3 captioned').waitFor();
      // Images that had a caption were skipped.
      assert.equal(await read('spyke_001'), original.spyke_001);
      assert.equal(await read('spyke_002'), original.spyke_002);
      await screenshot(page, 'autocaption-done');

      // The run is one undo step: the new caption goes again.
      await editor.locator('#captions-undo').click();
      await until('spyke_003 is uncaptioned again', 10_000, () => !existsSync(caption('spyke_003')));

      // Opened again, the form starts from the model and prompt of the last run.
      await runCommand(page, 'View: Close Editor');
      await openCaptionEditor(page);
      const reopened = webviewPanel(page);
      await reopened.locator('#captions-count').getByText('3 images · 2 captioned').waitFor({ timeout: 30_000 });
      await reopened.locator('#captions-autocaption').click();
      await reopened.locator('#autocaption-model').waitFor({ timeout: 15_000 });
      assert.equal(await reopened.locator('#autocaption-model').inputValue(), 'qwen2.5vl:7b');
      assert.equal(await reopened.locator('#autocaption-template').inputValue(), ownPrompt);
      await screenshot(page, 'autocaption-remembered');
      // And the default prompt is one click away.
      await reopened.locator('#autocaption-default-prompt').click();
      assert.match(await reopened.locator('#autocaption-template').inputValue(), /training captions for a LoRA of \{trigger\}, a \{class\}/);
      assert.doesNotMatch(await reopened.locator('#autocaption-template').inputValue(), /Keep it short/);
    });
  } finally {
    await ollama.stop();
  }
});

test('Describe Image as a Prompt streams a prompt draft for a reference image into a new editor', { timeout }, async () => {
  const ollama = await startFakeOllama({ args: ['--delay-ms', '40'] });
  try {
    await inSession({ name: 'describe-image', studio: 'sample', settings: { 'studionova.ollama.url': ollama.url, 'explorer.compactFolders': false } }, async ({ page }) => {
      // The reference image, in the Explorer.
      await openContainer(page, 'Explorer');
      const explorer = page.locator('.explorer-folders-view');
      for (const folder of ['characters', 'spyke', 'refs']) {
        const row = explorer.getByRole('treeitem', { name: folder, exact: true });
        await row.click();
        // A click can land while the row is still being drawn: the keyboard opens it for sure.
        await until(`${folder} is open`, 10_000, async () => {
          if ((await row.getAttribute('aria-expanded')) === 'true') return true;
          await row.press('ArrowRight');
          return false;
        });
      }
      const reference = explorer.getByRole('treeitem', { name: 'spyke_front.png' });
      await contextMenu(page, reference, 'Describe Image as a Prompt');
      // Only vision models are offered; the first is taken.
      const picker = page.locator('.quick-input-widget', { hasText: 'Describe an Image as a Prompt' });
      await picker.locator('.monaco-list-row', { hasText: 'qwen2.5vl:7b' }).waitFor({ timeout: 30_000 });
      assert.equal(await picker.locator('.monaco-list-row', { hasText: 'llama3.2' }).count(), 0, 'the text-only model is not offered');
      await picker.locator('.monaco-list-row', { hasText: 'llava:7b' }).click();
      // The draft: a header naming the image and the model, then one line of tags.
      const lines = page.locator('.monaco-editor .view-lines');
      await lines.getByText(/A\sprompt\sdraft\sfor\sspyke_front\.png,\sby\sllava:7b\sthrough\sOllama/).waitFor({ timeout: 30_000 });
      await until('the draft is one line of comma-separated tags', 30_000, async () => {
        const text = (await lines.innerText()).replace(/\u00a0/g, ' ');
        const draft = text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('<!--'));
        return draft.length === 1 && draft[0]!.split(', ').length >= 3;
      });
      await screenshot(page, 'describe-image');
    });
  } finally {
    await ollama.stop();
  }
});
