// End-to-end: Train LoRA on the sample dataset with the sd-scripts double (started by the
// extension as it starts the real trainer), the loss chart moving, the run in the LoRAs section,
// the checkpoints compared through the ComfyUI double, and one of them put to use.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { prepareFakeSdScripts } from '../support/fakeSdScripts';
import { managedComfy, withComfyBase } from './comfyDouble';
import { contextMenu, inSession, openContainer, screenshot, treeItem, until, webviewPanel } from './harness';

test('Train LoRA: the form, a live run with its loss chart, the run in the tree, checkpoints compared and one put to use', { timeout: 300_000 }, async () => {
  const fake = await prepareFakeSdScripts({ behaviour: { step_ms: 300 } });
  try {
    await withComfyBase(async (base) => {
      const settings = {
        ...managedComfy(base, 20),
        'studionova.sdScripts.folder': fake.folder,
        'studionova.sdScripts.launcher': 'python',
        'studionova.sdScripts.python': fake.python,
      };
      // The sample dataset lacks one caption (the caption editor's tests add it): training needs it.
      const captionAll = (folder: string): Promise<void> => writeFile(path.join(folder, 'datasets', 'spyke', 'spyke_003.txt'), 'spyke_plasma_v1, full body, standing, rooftop at night\n');
      await inSession({ name: 'training', studio: 'sample', settings, prepare: captionAll }, async ({ page, folder }) => {
        await openContainer(page, 'StudioNOVA');
        const datasetRow = treeItem(page, 'Studio', 'spyke').filter({ hasText: 'captioned' });
        await datasetRow.waitFor({ timeout: 30_000 });
        await contextMenu(page, datasetRow, 'Train LoRA…');

        const panel = webviewPanel(page);
        const steps = panel.locator('#field-maxTrainSteps');
        await steps.waitFor({ timeout: 30_000 });
        // The form starts from the user's SD 1.5 defaults on the Apple profile.
        assert.equal(await steps.inputValue(), '1000');
        assert.equal(await panel.locator('#field-networkDim').inputValue(), '32');
        // A batch over the profile's limit is refused in place, and blocks Start.
        await panel.locator('#field-batchSize').fill('4');
        await panel.locator('#field-batchSize-problems').getByText(/Apple M1, 16 GB/).waitFor({ timeout: 15_000 });
        assert.equal(await panel.locator('#training-start').isDisabled(), true);
        await screenshot(page, 'training-form-invalid');
        await panel.locator('#field-batchSize').fill('1');
        await steps.fill('12');
        await panel.locator('#field-saveEveryNSteps').fill('4');
        await panel.locator('#group-advanced > summary').click();
        await panel.locator('#field-sampleEveryNSteps').fill('4');
        await until('Start is enabled', 15_000, async () => !(await panel.locator('#training-start').isDisabled()));
        await screenshot(page, 'training-form');
        await panel.locator('#training-start').click();

        // Live: the status, the steps and the chart move while it runs.
        await panel.locator('#run-status').getByText(/running/i).waitFor({ timeout: 30_000 });
        await until('the steps move', 30_000, async () => /^[1-9]\d* \/ 12 steps$/.test((await panel.locator('#run-steps').innerText()).trim()));
        const firstSteps = (await panel.locator('#run-steps').innerText()).trim();
        await until('the loss chart is drawn', 30_000, async () => (await panel.locator('#loss-chart canvas').count()) > 0);
        await screenshot(page, 'training-live');
        await until('more steps', 30_000, async () => (await panel.locator('#run-steps').innerText()).trim() !== firstSteps);

        await panel.locator('#run-status').getByText(/completed/i).waitFor({ timeout: 90_000 });
        const runs = await readdir(path.join(folder, 'training'));
        assert.equal(runs.length, 1);
        const record = JSON.parse(await readFile(path.join(folder, 'training', runs[0]!, 'run.json'), 'utf8')) as { status: string; checkpoints: { file: string }[] };
        assert.equal(record.status, 'completed');
        assert.deepEqual(record.checkpoints.map((c) => c.file.replace(/^out\//, '')).sort(), ['spyke_plasma_v1-step00000004.safetensors', 'spyke_plasma_v1-step00000008.safetensors', 'spyke_plasma_v1-step00000012.safetensors', 'spyke_plasma_v1.safetensors'].sort());
        await panel.locator('#run-checkpoints tr', { hasText: 'step00000008' }).waitFor();
        await screenshot(page, 'training-completed');
        const runRow = treeItem(page, 'Studio', runs[0]!);
        await runRow.waitFor({ timeout: 30_000 });
        assert.match((await runRow.innerText()).replace(/\s+/g, ' '), /completed/);

        // Compare the checkpoints with test images through ComfyUI, then use one.
        await panel.locator('#trials-run').scrollIntoViewIfNeeded();
        const trials = panel.locator('details', { has: panel.locator('#trials-run') });
        if ((await trials.getAttribute('open')) === null) await trials.locator('summary').click();
        await panel.locator('#trials-run').click();
        await until('every test image is made', 120_000, async () => (await panel.locator('#trials-grid img').count()) >= 4);
        await screenshot(page, 'training-trials');
        const trialImages = await readdir(path.join(folder, 'training', runs[0]!, 'trials'), { recursive: true });
        assert.ok(trialImages.filter((f) => f.endsWith('.png')).length >= 4, trialImages.join(', '));

        const row = panel.locator('#run-checkpoints tr', { hasText: 'step00000008' });
        await row.getByRole('button', { name: 'Use this checkpoint' }).click();
        // The sample character names spyke_plasma_v1, which the ComfyUI base already holds: asked first.
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.getByText(/already exists in ComfyUI's loras folder/).waitFor({ timeout: 15_000 });
        await dialog.getByRole('button', { name: 'Replace' }).click();
        const lora = path.join(base, 'models', 'loras', 'spyke_plasma_v1.safetensors');
        await until('the LoRA is in ComfyUI\'s folder', 15_000, async () => existsSync(lora) && (await readFile(lora)).length > 0);
        assert.deepEqual(await readFile(lora), await readFile(path.join(folder, 'training', runs[0]!, 'out', 'spyke_plasma_v1-step00000008.safetensors')));
        await until('the choice is recorded', 15_000, async () => /step00000008/.test(await readFile(path.join(folder, 'training', runs[0]!, 'run.json'), 'utf8').then((t) => JSON.parse(t).chosen?.file ?? '')));
        await screenshot(page, 'training-used');
      });
    });
  } finally {
    await fake.cleanup();
  }
});
