import * as vscode from 'vscode';
import { hardwarePresets, describeLimits, type HardwareProfileId } from '../core/settings/hardware';
import type { Logger } from '../core/util/logger';
import { CommandId, configSection } from '../shared/ids';
import { attachTrainingImages } from './commands/attachTrainingImages';
import { deleteItem, openItem, renameItem, revealItem } from './commands/itemActions';
import { newChapter, newPage } from './commands/newChapterOrPage';
import { newCharacter } from './commands/newCharacter';
import { newStudio } from './commands/newStudio';
import { restartComfy, startComfy } from './commands/comfyCommands';
import { generateImage } from './commands/generateImage';
import { cancelPanelJobs, generatePage, generatePanel } from './commands/generateFromPrompt';
import { approveVersion, openVersion, rerunVersion, showVersions, unapproveVersion } from './commands/versionActions';
import type { PromptFiles } from './prompts/promptFiles';
import { showWorkflowSlots } from './commands/showWorkflowSlots';
import { addGalleryFolder } from './commands/addGalleryFolder';
import { openGallery } from './panels/openGallery';
import { openCaptions } from './panels/openCaptions';
import { addDatasetFlips, checkDataset, generateRegularizationSet, importDatasetImages, newDataset, removeDatasetFlips } from './commands/datasetCommands';
import type { DatasetReports } from './datasets/datasetReports';
import { describeImageAsPrompt } from './commands/describeImage';
import { runCommand } from './errors';
import { openTrainingRun, trainLora } from './training/openTraining';
import type { TrainingController } from './training/trainingController';
import { TrainingRunNode } from './tree/loraNodes';
import { InvalidInputError } from '../core/util/errors';
import type { StudioSession } from './studioSession';
import type { GenerationController } from './generation/generationController';
import type { ComfyEngine } from '../core/comfy/comfyEngine';
import type { GenerationJob } from '../core/generation/generationJob';
import type { Settings } from '../core/settings/settings';

export interface CommandServices {
  readonly session: StudioSession;
  readonly logger: Logger;
  readonly channel: vscode.LogOutputChannel;
  readonly engine: ComfyEngine;
  readonly comfyLog: vscode.LogOutputChannel;
  readonly controller: GenerationController;
  readonly settings: () => Settings;
  /** The workflow templates shipped in the extension. */
  readonly builtinWorkflows: string;
  readonly files: PromptFiles;
  readonly extensionUri: vscode.Uri;
  readonly workspaceState: vscode.Memento;
  /** The extension's storage for this workspace (thumbnails of an untrusted folder). */
  readonly storageUri: vscode.Uri;
  readonly datasetReports: DatasetReports;
  readonly training: TrainingController;
}

/** The one place commands are registered. Every handler runs through `runCommand`. */
export function registerCommands(context: vscode.ExtensionContext, services: CommandServices): void {
  const { session, logger, channel, engine, controller } = services;
  const handlers: Record<CommandId, (...args: never[]) => unknown> = {
    [CommandId.newStudio]: () => newStudio(session),
    [CommandId.refreshStudio]: () => session.refresh(),
    [CommandId.rebuildIndex]: async () => {
      const result = await session.rebuild();
      if (result) void vscode.window.showInformationMessage(`Index rebuilt in ${result.durationMs.toFixed(0)} ms: ${result.counts.characters} characters, ${result.counts.assets} images.`);
    },
    [CommandId.newCharacter]: () => newCharacter(session),
    [CommandId.attachTrainingImages]: (node: unknown) => attachTrainingImages(session, node),
    [CommandId.newChapter]: () => newChapter(session),
    [CommandId.newPage]: (node: unknown) => newPage(session, node),
    [CommandId.openItem]: (file: unknown) => openItem(file),
    [CommandId.revealItem]: (node: unknown) => revealItem(node),
    [CommandId.renameItem]: (node: unknown) => renameItem(session, node),
    [CommandId.deleteItem]: (node: unknown) => deleteItem(session, logger, node),
    [CommandId.openEngineSettings]: (query: unknown) =>
      vscode.commands.executeCommand('workbench.action.openSettings', typeof query === 'string' ? query : configSection),
    [CommandId.selectHardwareProfile]: selectHardwareProfile,
    [CommandId.showLog]: () => channel.show(),
    [CommandId.startComfy]: () => startComfy(engine),
    [CommandId.stopComfy]: () => engine.stop(),
    [CommandId.restartComfy]: () => restartComfy(engine),
    [CommandId.showComfyLog]: () => services.comfyLog.show(),
    [CommandId.generateImage]: (node: unknown) => generateImage(services, node),
    [CommandId.showWorkflowSlots]: () => showWorkflowSlots(session, services.builtinWorkflows),
    [CommandId.cancelJob]: (job: unknown) => (isJob(job) ? controller.cancel(job.id) : undefined),
    [CommandId.openJobImage]: (file: unknown) => (file instanceof vscode.Uri ? vscode.commands.executeCommand('vscode.open', file) : undefined),
    [CommandId.generatePanel]: (uri: unknown, panel: unknown, count: unknown) => generatePanel(services, uri, panel, count),
    [CommandId.generatePage]: (target: unknown) => generatePage(services, target),
    [CommandId.cancelPanelJobs]: (uri: unknown, panel: unknown) => cancelPanelJobs(services, uri, panel),
    [CommandId.showVersions]: (uri: unknown, panel: unknown) => showVersions(services, logger, uri, panel),
    [CommandId.openVersion]: (version: unknown) => openVersion(session, version),
    [CommandId.approveVersion]: (version: unknown) => approveVersion(session, logger, version),
    [CommandId.unapproveVersion]: (version: unknown) => unapproveVersion(session, logger, version),
    [CommandId.rerunVersion]: (version: unknown) => rerunVersion(services, version, false),
    [CommandId.rerunVersionNewSeed]: (version: unknown) => rerunVersion(services, version, true),
    [CommandId.openGallery]: (target: unknown) => openGallery(services, target),
    [CommandId.addGalleryRoot]: () => addGalleryFolder(session),
    [CommandId.openCaptions]: (target: unknown) => openCaptions(services, target),
    [CommandId.newDataset]: (node: unknown) => newDataset(session, node),
    [CommandId.importDatasetImages]: (node: unknown) => importDatasetImages(session, node),
    [CommandId.checkDataset]: (node: unknown) => checkDataset(session, services.datasetReports, node),
    [CommandId.addDatasetFlips]: (node: unknown) => addDatasetFlips(session, node),
    [CommandId.removeDatasetFlips]: (node: unknown) => removeDatasetFlips(session, node),
    [CommandId.generateRegularizationSet]: (node: unknown) => generateRegularizationSet(services, node),
    [CommandId.describeImage]: (image: unknown) => describeImageAsPrompt(services, image),
    [CommandId.trainLora]: (node: unknown) => trainLora(services, node),
    [CommandId.openTrainingRun]: (run: unknown) => openTrainingRun(services, run),
    [CommandId.cancelTraining]: (node: unknown) => services.training.cancel(node instanceof TrainingRunNode ? node.run.id : undefined),
    [CommandId.resumeTraining]: async (node: unknown) => {
      if (!(node instanceof TrainingRunNode)) throw new InvalidInputError('Choose a failed or cancelled run in the LoRAs section to resume it.');
      const job = await services.training.resume(node.run.id);
      await openTrainingRun(services, job.runId);
    },
  };
  for (const [id, handler] of Object.entries(handlers) as Array<[CommandId, (...args: unknown[]) => unknown]>) {
    context.subscriptions.push(vscode.commands.registerCommand(id, runCommand(logger, id, handler)));
  }
}

async function selectHardwareProfile(): Promise<void> {
  const section = vscode.workspace.getConfiguration(configSection);
  const current = section.get<HardwareProfileId>('hardware.profile');
  const items = [
    ...Object.entries(hardwarePresets).map(([id, preset]) => ({ label: preset.label, description: describeLimits(preset.limits), id: id as HardwareProfileId })),
    { label: 'Custom', description: 'the limits in studionova.hardware.custom', id: 'custom' as const },
  ].map((item) => ({ ...item, picked: item.id === current }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Hardware Profile', placeHolder: 'The limits StudioNOVA enforces before anything is queued' });
  if (picked) await section.update('hardware.profile', picked.id, vscode.ConfigurationTarget.Global);
}

function isJob(value: unknown): value is GenerationJob {
  return typeof value === 'object' && value !== null && 'id' in value && 'seed' in value && 'request' in value;
}
