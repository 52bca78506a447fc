import { appendFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { ComfyEngine } from './core/comfy/comfyEngine';
import { previewEngineLabel } from './core/comfy/previewEngine';
import type { SettingsResult } from './core/settings/settings';
import type { Logger } from './core/util/logger';
import { CommandId, ContextKey, ViewId } from './shared/ids';
import { ComfyLog } from './vscode/comfy/comfyLog';
import { ComfyStatusBar } from './vscode/comfy/comfyStatusBar';
import { registerCommands } from './vscode/commands';
import { DatasetReports } from './vscode/datasets/datasetReports';
import { registerCaptionsSerializer } from './vscode/panels/openCaptions';
import { registerGallerySerializer } from './vscode/panels/openGallery';
import { onDidChangeSettings, readSettings } from './vscode/config';
import { showError } from './vscode/errors';
import { GenerationController } from './vscode/generation/generationController';
import { QueueTreeProvider } from './vscode/generation/queueTreeProvider';
import { createLogger } from './vscode/log';
import { ProblemsPublisher } from './vscode/problemsPublisher';
import { registerPromptFeatures } from './vscode/prompts/registerPromptFeatures';
import { PromptFiles } from './vscode/prompts/promptFiles';
import { StudioSession } from './vscode/studioSession';
import { EnginesTreeProvider } from './vscode/tree/enginesTreeProvider';
import { StudioTreeProvider } from './vscode/tree/studioTreeProvider';
import { registerTrainingSerializer } from './vscode/training/openTraining';
import { TrainingController } from './vscode/training/trainingController';

let session: StudioSession | undefined;
let engine: ComfyEngine | undefined;

/**
 * Builds the object graph and registers everything; does no I/O of its own and starts nothing.
 * The studio is looked for right after activation, its index opens when the tree first asks
 * for it, and ComfyUI is reached or started on first use (or right away with autoStart).
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('StudioNOVA', { log: true });
  context.subscriptions.push(channel);
  const logger = createLogger(channel);
  try {
    const initial = readSettings();
    let settings = initial.settings;
    session = new StudioSession({
      wasmPath: context.asAbsolutePath('dist/sql-wasm.wasm'),
      logger,
      // An untrusted folder is shown, but StudioNOVA writes nothing into it on its own.
      persistIndex: () => vscode.workspace.isTrusted,
    });
    engine = new ComfyEngine(settings.comfyui, { logger, trusted: () => vscode.workspace.isTrusted });
    const comfyLog = new ComfyLog(engine);
    const statusBar = new ComfyStatusBar(engine);
    const builtinWorkflows = context.asAbsolutePath('workflows');
    const controller = new GenerationController(session, engine, builtinWorkflows, logger);
    const files = new PromptFiles(session, engine, () => settings, builtinWorkflows, logger);
    context.subscriptions.push(session, engine, comfyLog, new ProblemsPublisher(session), controller, statusBar, files);
    registerPromptFeatures(context, { files, session, controller, logger });

    const datasetReports = new DatasetReports();
    const training = new TrainingController(session, () => settings, controller, logger);
    const studioTree = new StudioTreeProvider(session, logger, datasetReports, training);
    const studioView = vscode.window.createTreeView(ViewId.studio, { treeDataProvider: studioTree, showCollapseAll: true });
    studioTree.setVisible(studioView.visible);
    const queueTree = new QueueTreeProvider(controller, session);
    const engines = new EnginesTreeProvider(settings, vscode.workspace.isTrusted);
    const showPreviewLabel = (label: string | undefined): void => {
      statusBar.setPreviewLabel(label);
      engines.setPreviewLabel(label);
    };
    context.subscriptions.push(
      studioTree,
      studioView,
      studioView.onDidChangeVisibility((e) => studioTree.setVisible(e.visible)),
      queueTree,
      vscode.window.createTreeView(ViewId.queue, { treeDataProvider: queueTree }),
      engines,
      vscode.window.createTreeView(ViewId.engines, { treeDataProvider: engines }),
      engine.onDidChangeState((state) => {
        engines.updateComfy(state);
        void vscode.commands.executeCommand('setContext', ContextKey.comfyState, state.kind);
      }),
      onDidChangeSettings((result) => {
        settings = result.settings;
        logSettings(logger, result);
        engines.update(result.settings, vscode.workspace.isTrusted);
        files.invalidate();
        void vscode.commands.executeCommand('setContext', ContextKey.comfyMode, result.settings.comfyui.mode);
        void previewEngineLabel(result.settings.comfyui).then((label) => showPreviewLabel(label));
        if (engine?.updateSettings(result.settings.comfyui)) void offerRestart();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => engines.update(readSettings().settings, true)),
    );
    const services = {
      session,
      logger,
      channel,
      engine,
      comfyLog: comfyLog.channel,
      controller,
      settings: () => settings,
      builtinWorkflows,
      files,
      extensionUri: context.extensionUri,
      workspaceState: context.workspaceState,
      storageUri: context.storageUri ?? context.globalStorageUri,
      datasetReports,
      training,
    };
    context.subscriptions.push(datasetReports, training);
    registerCommands(context, services);
    context.subscriptions.push(registerGallerySerializer(services), registerCaptionsSerializer(services), registerTrainingSerializer(services));

    logSettings(logger, initial);
    if (!vscode.workspace.isTrusted) logger.info('Restricted mode: the folder is not trusted, so no engine process will be started.');
    void vscode.commands.executeCommand('setContext', ContextKey.comfyMode, settings.comfyui.mode);
    void previewEngineLabel(settings.comfyui).then((label) => showPreviewLabel(label));
    void session.detect();
    if (settings.comfyui.autoStart && vscode.workspace.isTrusted) {
      // After activation returns: the start is the setting's wish, not activation work.
      const autoStart = engine;
      setTimeout(() => void autoStart.start().catch((error: unknown) => showError(logger, error, 'ComfyUI did not start')), 0);
    }
  } catch (error) {
    logger.error(error instanceof Error ? error : String(error));
    void vscode.window.showErrorMessage(`StudioNOVA failed to start: ${String(error)}`);
    throw error;
  }
  reportActivation(logger, performance.now() - started);
}

/** Writes the index to disk and stops a managed ComfyUI with its whole process tree. */
export async function deactivate(): Promise<void> {
  await Promise.all([session?.close(), engine?.stop()]);
  session = undefined;
  engine = undefined;
}

async function offerRestart(): Promise<void> {
  const restart = 'Restart ComfyUI';
  if ((await vscode.window.showInformationMessage('ComfyUI settings changed. Restart ComfyUI to use them?', restart)) === restart) {
    await vscode.commands.executeCommand(CommandId.restartComfy);
  }
}

function logSettings(logger: Logger, result: SettingsResult): void {
  const { comfyui, sdScripts, ollama, hardware } = result.settings;
  logger.info(
    `Settings: ComfyUI ${comfyui.mode} ${comfyui.mode === 'connected' ? comfyui.url : comfyui.folder || '(folder not set)'}; ` +
      `sd-scripts ${sdScripts.folder || '(not set)'} via ${sdScripts.launcher}; Ollama ${ollama.url}; hardware ${hardware.profile}.`,
  );
  for (const problem of result.problems) logger.warn(problem);
  if (result.problems.length > 0) {
    void vscode.window.showWarningMessage(`StudioNOVA settings: ${result.problems[0]}`, 'Open Settings').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'studionova');
    });
  }
}

/** The benchmark reads activation time from a file named by STUDIONOVA_BENCH_FILE. */
function reportActivation(logger: Logger, ms: number): void {
  logger.info(`activate() took ${ms.toFixed(2)} ms`);
  const benchFile = process.env['STUDIONOVA_BENCH_FILE'];
  if (benchFile) void appendFile(benchFile, `${JSON.stringify({ name: 'activation_ms', value: ms })}\n`);
}
