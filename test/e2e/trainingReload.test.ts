// End-to-end: a finished run's training panel comes back after a window reload, read from the
// run's folder alone: its status, steps, loss chart, checkpoints and the checkpoint comparison
// grid from trials.json (an image whose file is gone shown as missing), with "Use this
// checkpoint" working from the grid; a broken trials.json is reported in the panel and kept.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { recordTrialImage, type TrialPrompt } from '../../src/core/training/checkpointTrials';
import type { RunRecord } from '../../src/core/training/model';
import { appendLoss, newRunRecord, runPaths, writeRun } from '../../src/core/training/runFolder';
import { defaultTrainingConfig } from '../../src/core/training/trainingConfig';
import { writeSamplePng } from '../support/samplePng';
import { managedComfy, withComfyBase } from './comfyDouble';
import { e2eTimeout, inSession, openContainer, reloadWindow, runCommand, screenshot, treeItem, until, webviewPanel } from './harness';

const runId = 'spyke_plasma_v1-20261121-120000';
const checkpoints = [
  { file: 'out/spyke_plasma_v1-step00000004.safetensors', step: 4, final: false, loss: 0.1432 },
  { file: 'out/spyke_plasma_v1-step00000008.safetensors', step: 8, final: false, loss: 0.1187 },
  { file: 'out/spyke_plasma_v1.safetensors', step: 12, final: true, loss: 0.0964 },
];
/** Two prompt lines with two seeds each, as the panel asks for them. */
const prompts: TrialPrompt[] = [
  { prompt: 'spyke_plasma_v1, portrait', negative: 'blurry', seed: 42 },
  { prompt: 'spyke_plasma_v1, portrait', negative: 'blurry', seed: 7 },
  { prompt: 'spyke_plasma_v1, full body', negative: '', seed: 42 },
  { prompt: 'spyke_plasma_v1, full body', negative: '', seed: 7 },
];
/** The cell whose image is deleted after it was recorded (missing), and the one never made. */
const goneCell = { checkpoint: 1, prompt: 2 };
const unmadeCell = { checkpoint: 2, prompt: 3 };

const stemOf = (file: string): string => path.posix.basename(file, '.safetensors');

/** A completed 12-step run as the trainer and a comparison leave it: run.json, loss.tsv, checkpoints, trials.json and its images. */
async function writeFinishedRun(studio: string): Promise<void> {
  const config = {
    ...defaultTrainingConfig({ preset: 'sd15-8gb', datasetId: 'spyke', outputName: 'spyke_plasma_v1', baseModel: '/models/v1-5-pruned-emaonly.safetensors', trigger: 'spyke_plasma_v1' }),
    maxTrainSteps: 12,
    saveEveryNSteps: 4,
  };
  const paths = runPaths(studio, runId);
  await mkdir(paths.out, { recursive: true });
  const checkpointRecords = [];
  for (const [i, c] of checkpoints.entries()) {
    // Distinct bytes per checkpoint, so the LoRA put to use can be told apart.
    const bytes = Buffer.from(`checkpoint ${i} of ${runId}\n`.repeat(64));
    await writeFile(path.join(paths.root, c.file), bytes);
    checkpointRecords.push({ ...c, bytes: bytes.length });
  }
  const record: RunRecord = {
    ...newRunRecord(runId, config, new Date('2026-11-21T12:00:00Z')),
    status: 'completed',
    startedAt: '2026-11-21T12:00:01.000Z',
    endedAt: '2026-11-21T12:00:40.000Z',
    step: 12,
    totalSteps: 12,
    checkpoints: checkpointRecords,
  };
  await writeRun(studio, record);
  await appendLoss(
    paths,
    Array.from({ length: 12 }, (_, i) => ({ step: i + 1, loss: 0.3 / (1 + i * 0.4) + (i % 3) * 0.01, average: 0.25 / (1 + i * 0.3) })),
  );
  await writeFile(paths.log, 'steps: 100%|██████████| 12/12 [00:36<00:00,  3.00s/it, avr_loss=0.0964]\nmodel saved.\n');
  for (const [c, checkpoint] of checkpoints.entries()) {
    for (const [p] of prompts.entries()) {
      if (c === unmadeCell.checkpoint && p === unmadeCell.prompt) continue;
      const image = `training/${runId}/trials/${stemOf(checkpoint.file)}/p${p + 1}_v1.png`;
      await mkdir(path.dirname(path.join(studio, image)), { recursive: true });
      await writeSamplePng(path.join(studio, image), 96, 96, c * 10 + p + 1);
      await recordTrialImage(paths, prompts, { checkpoint: checkpoint.file, promptIndex: p, image });
      if (c === goneCell.checkpoint && p === goneCell.prompt) await rm(path.join(studio, image));
    }
  }
}

test('a window reload brings the training panel back on its run, with the comparison grid from trials.json', { timeout: e2eTimeout * 2 }, async () => {
  await withComfyBase(async (base) => {
    // No LoRA of the character's name yet: "Use this checkpoint" puts one there without asking.
    const lora = path.join(base, 'models', 'loras', 'spyke_plasma_v1.safetensors');
    await rm(lora);
    await inSession({ name: 'training-reload', studio: 'sample', settings: managedComfy(base), prepare: writeFinishedRun }, async ({ page, folder }) => {
      const trialsFile = path.join(folder, 'training', runId, 'trials', 'trials.json');
      await openContainer(page, 'StudioNOVA');
      await treeItem(page, 'Studio', 'spyke').first().waitFor({ timeout: 30_000 });
      await runCommand(page, 'StudioNOVA: Open Training Run');
      await page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: runId }) }).first().click();

      const panel = webviewPanel(page);
      // Opened: the grid is there already, read from the run's folder.
      await until('the grid shows its images', 30_000, async () => (await panel.locator('#trials-grid img').count()) === 10);

      await reloadWindow(page);
      const restored = webviewPanel(page);
      await restored.locator('#run-status').getByText('Completed').waitFor({ timeout: 60_000 });
      assert.equal((await restored.locator('#run-steps').innerText()).trim(), '12 / 12 steps');
      await until('the loss chart is drawn', 15_000, async () => (await restored.locator('#loss-chart canvas').count()) > 0);
      const checkpointRows = restored.locator('#run-checkpoints tbody tr');
      assert.equal(await checkpointRows.count(), 3);
      assert.match(await checkpointRows.nth(1).innerText(), /step00000008[\s\S]*8[\s\S]*0\.1187/);

      // The comparison grid: one row a checkpoint with its loss, one column a prompt and seed.
      const grid = restored.locator('#trials-grid');
      await grid.waitFor({ timeout: 15_000 });
      const headers = (await grid.locator('thead th').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      assert.deepEqual(headers, [
        'Checkpoint',
        'spyke_plasma_v1, portrait --n blurry seed 42',
        'spyke_plasma_v1, portrait --n blurry seed 7',
        'spyke_plasma_v1, full body seed 42',
        'spyke_plasma_v1, full body seed 7',
      ]);
      const rowHeads = (await grid.locator('tbody th').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      assert.equal(rowHeads.length, 3);
      for (const [i, c] of checkpoints.entries()) assert.match(rowHeads[i]!, new RegExp(`${stemOf(c.file)}\\.safetensors step ${c.step} · loss ${c.loss.toPrecision(4)}`));
      const cells = grid.locator('tbody tr');
      assert.equal(await grid.locator('img').count(), 10);
      const missing = cells.nth(goneCell.checkpoint).locator('td').nth(goneCell.prompt).locator('.trial-missing');
      assert.equal(await missing.getAttribute('aria-label'), 'Image missing: spyke_plasma_v1-step00000008.safetensors · spyke_plasma_v1, full body · seed 42');
      assert.equal(await grid.locator('.trial-missing').count(), 1);
      assert.match(await cells.nth(unmadeCell.checkpoint).locator('td').nth(unmadeCell.prompt).locator('.trial-pending').getAttribute('aria-label') ?? '', /^Not made: spyke_plasma_v1\.safetensors · spyke_plasma_v1, full body · seed 7$/);
      assert.equal(
        await cells.nth(0).locator('td').nth(1).locator('img').getAttribute('alt'),
        'spyke_plasma_v1-step00000004.safetensors · spyke_plasma_v1, portrait --n blurry · seed 7',
      );
      await grid.scrollIntoViewIfNeeded();
      await until('every image of the grid is loaded', 15_000, async () =>
        grid.locator('img').evaluateAll((images) => images.every((image) => (image as unknown as { complete: boolean; naturalWidth: number }).naturalWidth === 96)),
      );
      // The comparison prompts are the grid's, ready to be made again.
      assert.equal(await restored.locator('#trials-prompts').inputValue(), 'spyke_plasma_v1, portrait --n blurry\nspyke_plasma_v1, full body');
      assert.equal(await restored.locator('#trials-seeds').inputValue(), '42, 7');
      await screenshot(page, 'training-reload-grid');
      await restored.locator('#run-status').scrollIntoViewIfNeeded();
      await screenshot(page, 'training-reload-restored');

      // "Use this checkpoint" from the restored grid.
      await grid.scrollIntoViewIfNeeded();
      await cells.nth(1).getByRole('button', { name: 'Use this checkpoint' }).click();
      await until("the LoRA is in ComfyUI's folder", 15_000, () => existsSync(lora));
      assert.deepEqual(await readFile(lora), await readFile(path.join(folder, 'training', runId, checkpoints[1]!.file)));
      await cells.nth(1).locator('.tag', { hasText: 'In use' }).waitFor({ timeout: 15_000 });
      const chosen = (JSON.parse(await readFile(path.join(folder, 'training', runId, 'run.json'), 'utf8')) as { chosen: { file: string } | null }).chosen;
      assert.equal(chosen?.file, checkpoints[1]!.file);
      await restored.locator('#run-status-line').getByText(/step00000008\.safetensors is now the character’s LoRA/).waitFor({ timeout: 15_000 });
      await screenshot(page, 'training-reload-used');

      // A trials.json that cannot be read: the panel says so, shows the rest of the run, and the file stays as it was.
      const broken = '{"version": 1, "prompts": [';
      await writeFile(trialsFile, broken);
      await reloadWindow(page);
      const again = webviewPanel(page);
      await again.locator('#run-status').getByText('Completed').waitFor({ timeout: 60_000 });
      const problem = again.locator('#trials-problem');
      await problem.waitFor({ timeout: 15_000 });
      assert.match(await problem.innerText(), new RegExp(`training/${runId}/trials/trials\\.json is not valid JSON .* fix the file or delete it`));
      assert.equal(await again.locator('#trials-grid').count(), 0);
      assert.equal(await again.locator('#run-checkpoints tbody tr').count(), 3);
      await problem.scrollIntoViewIfNeeded();
      await screenshot(page, 'training-reload-bad-trials');
      assert.equal(await readFile(trialsFile, 'utf8'), broken);
    });
  });
});
