import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { GenerationJob } from '../../core/generation/generationJob';
import { finishedStatuses } from '../../core/generation/generationJob';
import type { Dataset } from '../../core/model/studio';
import type { Settings } from '../../core/settings/settings';
import { loraName } from '../../core/studio/layout';
import type { StudioIndex } from '../../core/studio/studioIndex';
import { parseSamplePrompt, readStoredTrials, recordTrialImage, stageCheckpoint, trialRequests, type TrialPrompt } from '../../core/training/checkpointTrials';
import { comfyModelsFolder } from '../../core/training/loraCatalog';
import type { TrainingConfig } from '../../core/training/model';
import { listRuns, readLogTail, readLoss, readRun, runPaths, settleStaleRun } from '../../core/training/runFolder';
import { defaultTrainingConfig, presetsFor, validateTrainingConfig } from '../../core/training/trainingConfig';
import { useCheckpoint } from '../../core/training/useCheckpoint';
import { DisposableStore } from '../../core/util/disposable';
import { CancelledError, errorMessage, InvalidInputError } from '../../core/util/errors';
import type { Logger } from '../../core/util/logger';
import type { FieldProblem } from '../../shared/protocol/training';
import { trainingViewType } from '../../shared/protocol/training';
import { requireStudio } from '../commands/requireStudio';
import type { GenerationController } from '../generation/generationController';
import type { TrainingForm, TrainingPanel, TrainingPanelServices, TrialRequest, TrialResult } from '../panels/trainingPanel';
import type { StudioSession } from '../studioSession';
import { TrainingRunNode } from '../tree/loraNodes';
import { CharacterNode, DatasetNode } from '../tree/studioNodes';
import type { TrainingController } from './trainingController';

export interface TrainingHostServices {
  readonly session: StudioSession;
  readonly logger: Logger;
  readonly extensionUri: vscode.Uri;
  readonly training: TrainingController;
  readonly controller: GenerationController;
  readonly settings: () => Settings;
}

/** Open training panels: one per run, and one form per dataset. */
const panels = new Set<TrainingPanel>();

/** Train LoRA: the form for a dataset (from the tree: that dataset, or the character's; from the palette: pick one). */
export async function trainLora(host: TrainingHostServices, argument: unknown): Promise<void> {
  await requireStudio(host.session);
  const index = await host.session.index();
  const dataset = await datasetFor(index, argument);
  const form = trainingForm(host, index, dataset);
  const panel = vscode.window.createWebviewPanel(trainingViewType, `Train LoRA: ${dataset.id}`, vscode.ViewColumn.Active, { enableScripts: true });
  await show(host, panel, { kind: 'form', form });
}

/** A run's panel: brought forward if open, else opened live or from its folder. */
export async function openTrainingRun(host: TrainingHostServices, argument: unknown): Promise<void> {
  const root = await requireStudio(host.session);
  const runId = argument instanceof TrainingRunNode ? argument.run.id : typeof argument === 'string' ? argument : await pickRun(root.fsPath);
  for (const panel of panels) {
    if (panel.runId === runId && !panel.isDisposed) {
      panel.panel.reveal();
      return;
    }
  }
  const panel = vscode.window.createWebviewPanel(trainingViewType, `Training: ${runId}`, vscode.ViewColumn.Active, { enableScripts: true });
  await show(host, panel, { kind: 'run', runId });
}

/** Brings back a run's panel that was open when the window closed. */
export function registerTrainingSerializer(host: TrainingHostServices): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(trainingViewType, {
    deserializeWebviewPanel: async (panel, state) => {
      const { restoredRunId } = await import('../panels/trainingPanel');
      const runId = restoredRunId(state);
      if (!host.session.root) await host.session.detect();
      if (!runId || !host.session.root) {
        panel.dispose();
        return;
      }
      panel.webview.options = { enableScripts: true };
      await show(host, panel, { kind: 'run', runId }).catch(() => panel.dispose());
    },
  });
}

async function show(host: TrainingHostServices, panel: vscode.WebviewPanel, target: Parameters<typeof TrainingPanel.create>[2]): Promise<void> {
  const { TrainingPanel } = await import('../panels/trainingPanel');
  try {
    const shown = await TrainingPanel.create(panel, panelServices(host), target);
    panels.add(shown);
    panel.onDidDispose(() => panels.delete(shown));
  } catch (error) {
    panel.dispose();
    throw error;
  }
}

function panelServices(host: TrainingHostServices): TrainingPanelServices {
  const root = (): string => {
    const studio = host.session.root;
    if (!studio) throw new InvalidInputError('No studio is open.');
    return studio.fsPath;
  };
  let trialWrites: Promise<unknown> = Promise.resolve();
  return {
    logger: host.logger,
    extensionUri: host.extensionUri,
    runFolder: (runId) => runPaths(root(), runId).root,
    validate: (config) => validate(host, config),
    start: (config) => host.training.runner.start({ studioRoot: root(), config, sdScripts: host.settings().sdScripts, hardware: host.training.hardware() }),
    resume: (runId) => host.training.resume(runId),
    liveJob: (runId) => host.training.live(runId),
    readRun: async (runId) => {
      const paths = runPaths(root(), runId);
      const read = await readRun(root(), runId);
      if (!read) return undefined;
      if (!read.record) throw new InvalidInputError(`The run ${runId} cannot be read: ${read.problem}`);
      const [loss, logTail] = await Promise.all([readLoss(paths), readLogTail(paths, 200)]);
      return { record: settleStaleRun(read.record, host.training.live(runId) !== undefined), loss, logTail };
    },
    readTrials: (record, loss) => readStoredTrials(root(), record, loss),
    runTrials: async (request, onImage, signal) => {
      await runTrials(host, root(), request, (image) => {
        trialWrites = trialWrites.then(() => onImage(image));
      }, signal, (prompts, cell) => {
        trialWrites = trialWrites
          .then(() => recordTrialImage(runPaths(root(), request.runId), prompts, cell))
          .catch((error: unknown) => host.logger.warn(`Training ${request.runId}: ${errorMessage(error)}`));
      });
      await trialWrites;
    },
    useCheckpoint: async (runId, file) => {
      const studioRoot = root();
      const read = await readRun(studioRoot, runId);
      if (!read?.record) throw new InvalidInputError(`There is no training run "${runId}" in this studio.`);
      const index = await host.session.index();
      const character = characterOf(index, read.record.config);
      return useCheckpoint({
        studioRoot,
        runId,
        file,
        lorasFolder: requireLorasFolder(host.settings()),
        loraName: loraName(character?.lora ?? read.record.config.outputName),
        characterFile: character ? path.join(studioRoot, character.path) : undefined,
        confirmReplace: async (existing) => {
          const replace = 'Replace';
          const answer = await vscode.window.showWarningMessage(
            `${path.basename(existing)} already exists in ComfyUI's loras folder and is a different file. Replace it with ${path.basename(file)}?`,
            { modal: true, detail: existing },
            replace,
          );
          return answer === replace;
        },
      });
    },
  };
}

async function validate(host: TrainingHostServices, config: TrainingConfig): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = validateTrainingConfig(config, host.training.hardware()).map((p) => ({ field: p.field, message: p.message, severity: p.severity }));
  if (config.baseModel && !problems.some((p) => p.field === 'baseModel')) {
    const isFile = await stat(config.baseModel).then((s) => s.isFile(), () => false);
    if (!isFile) problems.push({ field: 'baseModel', message: 'No such file: choose the checkpoint the LoRA is trained on.', severity: 'error' });
  }
  return problems;
}

/**
 * The comparison grid through ComfyUI: each checkpoint staged where its LoraLoader finds it,
 * then every prompt with every seed, checkpoint by checkpoint, through the one generation queue.
 */
async function runTrials(
  host: TrainingHostServices,
  studioRoot: string,
  request: TrialRequest,
  onImage: (image: TrialResult) => void,
  signal: AbortSignal,
  remember: (prompts: TrialPrompt[], cell: { checkpoint: string; promptIndex: number; image: string }) => void,
): Promise<void> {
  const read = await readRun(studioRoot, request.runId);
  if (!read?.record) throw new InvalidInputError(`There is no training run "${request.runId}" in this studio.`);
  const record = { ...read.record, checkpoints: read.record.checkpoints.filter((c) => request.checkpoints.includes(c.file)) };
  const lorasFolder = requireLorasFolder(host.settings());
  const paths = runPaths(studioRoot, record.id);
  const staged = new Map<string, string>();
  for (const checkpoint of record.checkpoints) staged.set(checkpoint.file, await stageCheckpoint(paths, record.id, checkpoint, lorasFolder));
  const index = await host.session.index();
  const defaults = index.studioConfig?.defaults;
  const character = characterOf(index, record.config);
  const prompts: TrialPrompt[] = request.prompts.flatMap((line) => {
    const { prompt, negative } = parseSamplePrompt(line);
    return request.seeds.map((seed) => ({ prompt, negative, seed }));
  });
  const base = {
    width: record.config.resolution,
    height: record.config.resolution,
    steps: defaults?.steps ?? 24,
    cfg: defaults?.cfg ?? 7,
    sampler: defaults?.sampler ?? 'euler',
    scheduler: defaults?.scheduler ?? 'normal',
    // ComfyUI names checkpoints by file name: the base model the LoRA was trained on.
    checkpoint: path.basename(record.config.baseModel),
    characterId: character?.id,
  };
  const planned = trialRequests(record, prompts, base, (c) => staged.get(c.file)!);
  const cellOf = new Map<GenerationJob, { checkpoint: string; promptIndex: number; seed: number }>();
  const subscriptions = new DisposableStore();
  try {
    await host.controller.run(`Comparing ${record.checkpoints.length} checkpoints of ${record.id}`, async (queue, progressSignal) => {
      const jobs: GenerationJob[] = [];
      const cancel = (): void => void Promise.all(jobs.map((job) => queue.cancel(job.id)));
      signal.addEventListener('abort', cancel, { once: true });
      subscriptions.add({ dispose: () => signal.removeEventListener('abort', cancel) });
      subscriptions.add(queue.onDidChangeJob((job) => {
        const cell = cellOf.get(job);
        const output = job.outputs[0];
        if (!cell || !finishedStatuses.has(job.status) || !output) return;
        cellOf.delete(job);
        const promptIndex = Math.floor(cell.promptIndex / request.seeds.length);
        onImage({ checkpoint: cell.checkpoint, promptIndex, seed: cell.seed, file: path.join(studioRoot, output.image) });
        remember(prompts, { checkpoint: cell.checkpoint, promptIndex: cell.promptIndex, image: output.image });
      }));
      for (const plan of planned) {
        if (signal.aborted || progressSignal.aborted) throw new CancelledError();
        for (const job of await queue.generate(plan.request, progressSignal)) {
          jobs.push(job);
          cellOf.set(job, { checkpoint: plan.checkpoint.file, promptIndex: plan.promptIndex, seed: plan.request.seeds[0]! });
        }
      }
      return jobs;
    });
  } finally {
    // The queue outlives this comparison: its listeners must not.
    subscriptions.dispose();
  }
  if (signal.aborted) throw new CancelledError();
}

function requireLorasFolder(settings: Settings): string {
  const folder = comfyModelsFolder(settings.comfyui, 'loras');
  if (!folder) {
    throw new InvalidInputError("StudioNOVA needs to know where ComfyUI is installed to put checkpoints in its models/loras folder: set studionova.comfyui.folder (a machine setting).");
  }
  return folder;
}

function characterOf(index: StudioIndex, config: TrainingConfig): ReturnType<StudioIndex['characters']['get']> {
  const dataset = index.datasets.list().find((d) => d.id === config.datasetId);
  return dataset?.characterId ? index.characters.get(dataset.characterId) : undefined;
}

function trainingForm(host: TrainingHostServices, index: StudioIndex, dataset: Dataset): TrainingForm {
  const hardware = host.training.hardware();
  const fits = presetsFor(hardware);
  const preset = fits.find((f) => f.fits)?.preset ?? fits[0]!.preset;
  const character = dataset.characterId ? index.characters.get(dataset.characterId) : undefined;
  const checkpoints = comfyModelsFolder(host.settings().comfyui, 'checkpoints');
  const checkpoint = index.studioConfig?.defaults.checkpoint ?? 'v1-5-pruned-emaonly.safetensors';
  const config = defaultTrainingConfig({
    preset: preset.id,
    datasetId: dataset.id,
    outputName: loraName(character?.lora ?? dataset.trigger ?? dataset.id),
    baseModel: checkpoints ? path.join(checkpoints, checkpoint) : '',
    repeats: dataset.repeats,
    ...(dataset.trigger ? { trigger: dataset.trigger } : {}),
    ...(character?.class ? { classPrompt: character.class } : {}),
  });
  return {
    datasetId: dataset.id,
    character: character ? { id: character.id, name: character.name } : null,
    presets: fits.map((f) => ({ id: f.preset.id, label: f.preset.label, description: f.reason ? `${f.preset.description} ${f.reason}` : f.preset.description, fits: f.fits, values: f.preset.settings })),
    config,
    hardware: hardware.label,
  };
}

async function datasetFor(index: StudioIndex, argument: unknown): Promise<Dataset> {
  const datasets = index.datasets.list();
  if (argument instanceof DatasetNode) return argument.dataset;
  if (argument instanceof CharacterNode) {
    const own = datasets.find((d) => d.characterId === argument.character.id && d.kind === 'character');
    if (!own) throw new InvalidInputError(`${argument.character.name} has no dataset yet: attach training images first.`);
    return own;
  }
  const training = datasets.filter((d) => d.kind === 'character');
  if (training.length === 0) throw new InvalidInputError('This studio has no datasets yet: attach training images to a character first.');
  if (training.length === 1) return training[0]!;
  const picked = await vscode.window.showQuickPick(
    training.map((d) => ({ label: d.id, description: `${d.imageCount} images · ${d.captionedCount} captioned`, dataset: d })),
    { title: 'Train LoRA', placeHolder: 'The dataset to train on' },
  );
  if (!picked) throw new CancelledError();
  return picked.dataset;
}

async function pickRun(studioRoot: string): Promise<string> {
  const runs = await listRuns(studioRoot);
  if (runs.length === 0) throw new InvalidInputError('This studio has no training runs yet: use Train LoRA on a dataset.');
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: r.id, description: `${r.status} · step ${r.step} of ${r.totalSteps ?? '?'}`, runId: r.id })),
    { title: 'Open Training Run' },
  );
  if (!picked) throw new CancelledError();
  return picked.runId;
}
