import path from 'node:path';
import { readDatasetSettings } from '../../core/datasets/datasetSettings';
import { defaultSettings, type Settings } from '../../core/settings/settings';
import type { TrainingConfig, TrainingProgress } from '../../core/training/model';
import { defaultPresetId, defaultTrainingConfig, trainingPreset, trainingPresets } from '../../core/training/trainingConfig';
import { TrainingRunner } from '../../core/training/trainingRunner';
import { datasetFolder, loraName } from '../../core/studio/layout';
import { formatTimeLeft } from '../../core/training/timeLeft';
import { hardwareOption, printJson, stderrLogger, studioAbove, UsageError } from '../cliContext';

const progressEveryMs = 1000;

export interface TrainOptions {
  readonly dataset?: string | undefined;
  readonly preset?: string | undefined;
  readonly 'base-model'?: string | undefined;
  readonly steps?: string | undefined;
  readonly 'sd-scripts'?: string | undefined;
  readonly python?: string | undefined;
  readonly accelerate?: string | undefined;
  readonly launcher?: string | undefined;
  readonly profile?: string | undefined;
  readonly 'output-name'?: string | undefined;
}

/**
 * `studionova train --dataset <studio>/datasets/<id> --base-model <file> --sd-scripts <folder>
 * [--preset …] [--steps n]`: the same checks, run folder and trainer as the editor's Train LoRA.
 * Progress goes to stderr, the final run record to stdout as one JSON line. Exit 0 when the LoRA
 * was saved, 1 when the training failed; Ctrl+C cancels it, killing the trainer's whole tree.
 */
export async function trainCommand(options: TrainOptions): Promise<number> {
  if (!options.dataset) throw new UsageError('studionova train needs --dataset <studio>/datasets/<id>.');
  const folder = path.resolve(options.dataset);
  const studioRoot = await studioAbove(folder);
  if (!studioRoot || path.relative(studioRoot, folder) !== datasetFolder(path.basename(folder)).split('/').join(path.sep)) {
    throw new UsageError(`${folder} is not a dataset of a studio (<studio>/datasets/<id>): runs are kept in the studio's training/ folder.`);
  }
  const presetId = options.preset ?? defaultPresetId;
  if (!trainingPreset(presetId)) throw new UsageError(`Unknown --preset ${presetId}; one of ${trainingPresets.map((p) => p.id).join(', ')}.`);
  const baseModel = options['base-model'];
  if (!baseModel) throw new UsageError('Name the base checkpoint with --base-model <file.safetensors>.');
  const sdScripts = sdScriptsOptions(options);
  const hardware = hardwareOption(options.profile);
  const datasetId = path.basename(folder);
  const settings = await readDatasetSettings(folder, { file: `${datasetFolder(datasetId)}/dataset.json`, studioRoot });
  let config: TrainingConfig = defaultTrainingConfig({
    preset: presetId,
    datasetId,
    // As Train LoRA in the editor: the character's LoRA name, so "Use this checkpoint" and the
    // prompts' `lora:` find it; else the trigger word.
    outputName: options['output-name'] ?? loraName(settings.characterLora ?? settings.trigger ?? datasetId),
    baseModel: path.resolve(baseModel),
    // As Train LoRA in the editor: the dataset's own repeats, else the default.
    repeats: settings.repeats,
    ...(settings.trigger ? { trigger: settings.trigger } : {}),
    ...(settings.characterClass ? { classPrompt: settings.characterClass } : {}),
  });
  if (options.steps !== undefined) {
    const steps = Number(options.steps);
    if (!Number.isInteger(steps) || steps < 1) throw new UsageError('--steps is a whole number of at least 1.');
    config = { ...config, maxTrainSteps: steps, saveEveryNSteps: Math.min(config.saveEveryNSteps, steps), sampleEveryNSteps: Math.min(config.sampleEveryNSteps, steps) };
  }

  const runner = new TrainingRunner({ logger: stderrLogger });
  const job = await runner.start({ studioRoot, config, sdScripts, hardware });
  process.stderr.write(`Training ${job.runId} in ${path.relative(process.cwd(), job.folder) || '.'}\n`);
  const onInterrupt = (): void => {
    process.stderr.write('\nCancelling the training…\n');
    void job.cancel();
  };
  process.once('SIGINT', onInterrupt);
  // One progress line a second at most: the bar redraws several times a step. The last one the
  // throttle held back is printed when the training ends, so the final figures are always shown.
  let lastReport = 0;
  let latest: string | undefined;
  let printed: string | undefined;
  const printProgress = (): void => {
    if (latest === undefined || latest === printed) return;
    printed = latest;
    lastReport = Date.now();
    process.stderr.write(`${latest}\n`);
  };
  job.onDidChangeProgress((p) => {
    latest = progressLine(p);
    if (Date.now() - lastReport >= progressEveryMs) printProgress();
  });
  const reported = new Set<string>();
  job.onDidChangeRecord((r) => {
    for (const checkpoint of r.checkpoints) {
      if (reported.has(checkpoint.file)) continue;
      reported.add(checkpoint.file);
      process.stderr.write(`checkpoint ${checkpoint.file} (step ${checkpoint.step})\n`);
    }
  });
  const final = await job.finished;
  process.off('SIGINT', onInterrupt);
  printProgress();
  if (final.failure) process.stderr.write(`${final.status}: ${final.failure.message}\n`);
  printJson(final);
  return final.status === 'completed' ? 0 : final.status === 'cancelled' ? 130 : 1;
}

/** `step 120/400, loss 0.0962, 1.55 it/s, 4 minutes left`: each part once it is known; no time left at the last step. */
function progressLine(p: TrainingProgress): string {
  const loss = p.averageLoss === null ? '' : `, loss ${p.averageLoss.toFixed(4)}`;
  const speed = p.itPerSec === null ? '' : `, ${p.itPerSec.toFixed(2)} it/s`;
  const eta = p.etaSec === null || p.step >= p.total ? '' : `, ${formatTimeLeft(p.etaSec)} left`;
  return `step ${p.step}/${p.total}${loss}${speed}${eta}`;
}

function sdScriptsOptions(options: TrainOptions): Settings['sdScripts'] {
  const launcher = options.launcher ?? 'python';
  if (launcher !== 'python' && launcher !== 'accelerate') throw new UsageError('--launcher is python or accelerate.');
  const folder = options['sd-scripts'];
  if (!folder) throw new UsageError('Name the sd-scripts checkout with --sd-scripts <folder> (the one with train_network.py).');
  return { ...defaultSettings.sdScripts, folder: path.resolve(folder), launcher, python: options.python ?? '', accelerate: options.accelerate ?? '' };
}
