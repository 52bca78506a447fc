// End-to-end: the caption editor's toolbar and its conflicts, on the sample studio's dataset in a
// real VS Code. Find and replace, plain and with a regular expression, over every caption; Add tag
// and Remove tag over the rows selected; and a caption changed on disk while it was being typed
// over, which the editor marks instead of writing over, settled once with "Keep mine" and once with
// "Take theirs". Each step is checked in the files on disk.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { captionRow, openCaptionEditor } from './captionEditor';
import { e2eTimeout as timeout, inSession, screenshot, until, webviewPanel } from './harness';

const trigger = 'spyke_plasma_v1';

/** The status line after a change (it says "Saving…" first, then what was written); matched without anchors, as the text has the template's white space around it. */
async function statusSays(editor: FrameLocator, text: RegExp): Promise<void> {
  await editor.locator('#captions-status').getByText(text).waitFor({ timeout: 15_000 });
}

async function findAndReplace(editor: FrameLocator, find: string, replaceWith: string, regex: boolean): Promise<void> {
  await editor.locator('#captions-find').fill(find);
  await editor.locator('#captions-replace-with').fill(replaceWith);
  if ((await editor.locator('#captions-regex').isChecked()) !== regex) await editor.locator('#captions-regex').click();
  await editor.locator('#captions-replace').click();
}

test('the toolbar finds and replaces (plain and regular expression) and adds and removes a tag on the selection', { timeout }, async () => {
  await inSession({ name: 'caption-toolbar', studio: 'sample' }, async ({ page, folder }) => {
    const dataset = path.join(folder, 'datasets', 'spyke');
    const read = (stem: string): Promise<string> => readFile(path.join(dataset, `${stem}.txt`), 'utf8');
    assert.equal(await read('spyke_001'), `${trigger}, full body, standing, neon alley at night\n`);
    assert.equal(await read('spyke_002'), `${trigger}, full body, walking, rooftop at dusk\n`);

    await openCaptionEditor(page);
    const editor = webviewPanel(page);
    await editor.locator('#captions-count').getByText('3 images · 2 captioned').waitFor({ timeout: 30_000 });

    // Plain text, over every caption (nothing selected).
    await findAndReplace(editor, 'full body', 'cowboy shot', false);
    await statusSays(editor, /Replaced in 2 captions\./);
    await until('both captions say cowboy shot', 10_000, async () => (await read('spyke_001')).includes('cowboy shot') && (await read('spyke_002')).includes('cowboy shot'));
    await captionRow(editor, 'spyke_002.png').locator('.chip', { hasText: 'cowboy shot' }).waitFor();
    await screenshot(page, 'caption-toolbar-replaced');

    // A regular expression with a group: "<place> at <time>" becomes "<time>, <place>".
    await findAndReplace(editor, '(\\w+(?: \\w+)?) at (night|dusk)', '$2, $1', true);
    await statusSays(editor, /Replaced in 2 captions\./);
    await until('the regular expression reached the files', 10_000, async () => (await read('spyke_001')) === `${trigger}, cowboy shot, standing, night, neon alley\n`);
    assert.equal(await read('spyke_002'), `${trigger}, cowboy shot, walking, dusk, rooftop\n`);
    await captionRow(editor, 'spyke_001.png').locator('.chip-text', { hasText: /^night$/ }).waitFor();
    // An expression that cannot run says why and changes nothing.
    await findAndReplace(editor, '(unclosed', 'x', true);
    await editor.locator('#captions-status.error').waitFor();
    assert.equal(await read('spyke_002'), `${trigger}, cowboy shot, walking, dusk, rooftop\n`);
    await screenshot(page, 'caption-toolbar-regex');

    // Select one row: batch edits apply to it alone.
    await captionRow(editor, 'spyke_002.png').locator('.row-name').click();
    await editor.locator('#captions-scope').getByText('1 selected — batch edits apply to them').waitFor();
    await editor.locator('#captions-tag').fill('smiling');
    await editor.locator('#captions-add-tag').click();
    await statusSays(editor, /Added “smiling” to 1 caption\./);
    await until('spyke_002.txt has the tag', 10_000, async () => (await read('spyke_002')).trimEnd().endsWith(', smiling'));
    assert.ok(!(await read('spyke_001')).includes('smiling'), 'the row not selected keeps its caption');
    // Add the uncaptioned image to the selection: it gets a caption file with the tag alone.
    await captionRow(editor, 'spyke_003.png').locator('.row-name').click({ modifiers: ['Control'] });
    await editor.locator('#captions-scope').getByText('2 selected — batch edits apply to them').waitFor();
    await editor.locator('#captions-add-tag').click();
    await statusSays(editor, /Added “smiling” to 1 caption\./);
    await until('spyke_003.txt is written', 10_000, async () => (await read('spyke_003').catch(() => '')) === 'smiling\n');
    await captionRow(editor, 'spyke_003.png').locator('.chip', { hasText: 'smiling' }).waitFor();
    await screenshot(page, 'caption-toolbar-tag-added');

    // Remove it again from the selection: the image that had no caption has none again.
    await editor.locator('#captions-remove-tag').click();
    await statusSays(editor, /Removed “smiling” from 2 captions\./);
    await until('the tag is gone from the files', 10_000, async () => !(await read('spyke_002')).includes('smiling') && (await read('spyke_003').catch(() => 'gone')) === 'gone');
    await captionRow(editor, 'spyke_003.png').getByText('no caption').waitFor();
    await editor.locator('#captions-count').getByText('3 images · 2 captioned').waitFor();
    await screenshot(page, 'caption-toolbar-tag-removed');
  });
});

test('a caption changed on disk while it was typed over is marked, not written over, and settled by Keep mine or Take theirs', { timeout }, async () => {
  await inSession({ name: 'caption-conflicts', studio: 'sample' }, async ({ page, folder }) => {
    const dataset = path.join(folder, 'datasets', 'spyke');
    const file = (stem: string): string => path.join(dataset, `${stem}.txt`);
    const read = (stem: string): Promise<string> => readFile(file(stem), 'utf8');

    await openCaptionEditor(page);
    const editor = webviewPanel(page);
    await editor.locator('#captions-count').getByText('3 images · 2 captioned').waitFor({ timeout: 30_000 });

    /**
     * Starts typing at the end of a row's caption in its text field; another program changes the
     * file; the typing goes on (slowly, so the editor hears of the change first and takes it in
     * under the field) and is saved after the pause: the editor marks a conflict.
     */
    const typeOverAChange = async (stem: string, theirs: string): Promise<void> => {
      const row = captionRow(editor, `${stem}.png`);
      await row.locator('.row-mode').click();
      const field = row.locator('textarea.caption-text');
      await field.click();
      await field.press('End');
      await field.pressSequentially(', ');
      await writeFile(file(stem), `${theirs}\n`);
      await field.pressSequentially('smiling', { delay: 250 });
      await row.locator('.conflict').waitFor({ timeout: 15_000 });
    };

    // Keep mine: the typed text goes over the other program's, now that it was seen.
    await typeOverAChange('spyke_001', `${trigger}, full body, standing, rain`);
    const conflict = captionRow(editor, 'spyke_001.png').locator('.conflict');
    await conflict.getByText(`“${trigger}, full body, standing, rain”`).waitFor();
    await conflict.getByText(`“${trigger}, full body, standing, neon alley at night, smiling”`).waitFor();
    assert.equal(await read('spyke_001'), `${trigger}, full body, standing, rain\n`, 'nothing was written over the change');
    await screenshot(page, 'caption-conflict');
    await conflict.locator('button.keep-mine').click();
    await until('spyke_001.txt holds the typed text', 10_000, async () => (await read('spyke_001')) === `${trigger}, full body, standing, neon alley at night, smiling\n`);
    await captionRow(editor, 'spyke_001.png').locator('.conflict').waitFor({ state: 'detached' });
    await statusSays(editor, /Kept your caption of spyke_001\./);

    // Take theirs: the other program's text stays, and the row shows it.
    await typeOverAChange('spyke_002', `${trigger}, full body, walking, snow`);
    await captionRow(editor, 'spyke_002.png').locator('button.take-theirs').click();
    await captionRow(editor, 'spyke_002.png').locator('.conflict').waitFor({ state: 'detached' });
    await statusSays(editor, /Took the caption on disk for spyke_002\./);
    assert.equal(await read('spyke_002'), `${trigger}, full body, walking, snow\n`);
    assert.equal(await captionRow(editor, 'spyke_002.png').locator('textarea.caption-text').inputValue(), `${trigger}, full body, walking, snow`);
    await screenshot(page, 'caption-conflict-settled');
  });
});
