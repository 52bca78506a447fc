import { appendFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { SettingsResult } from './core/settings/settings';
import type { Logger } from './core/util/logger';
import { onDidChangeSettings, readSettings } from './vscode/config';
import { registerCommands } from './vscode/commands';
import { createLogger } from './vscode/log';
import { ProblemsPublisher } from './vscode/problemsPublisher';
import { StudioSession } from './vscode/studioSession';
import { EnginesTreeProvider } from './vscode/tree/enginesTreeProvider';
import { StudioTreeProvider } from './vscode/tree/studioTreeProvider';
import { ViewId } from './shared/ids';

let session: StudioSession | undefined;

/**
 * Builds the object graph and registers everything; does no I/O of its own. The studio is
 * looked for right after activation, and its index opens when the tree first asks for it.
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('StudioNOVA', { log: true });
  context.subscriptions.push(channel);
  const logger = createLogger(channel);
  try {
    const { settings, problems } = readSettings();
    session = new StudioSession({
      wasmPath: context.asAbsolutePath('dist/sql-wasm.wasm'),
      logger,
      // An untrusted folder is shown, but StudioNOVA writes nothing into it on its own.
      persistIndex: () => vscode.workspace.isTrusted,
    });
    context.subscriptions.push(session, new ProblemsPublisher(session));

    const studioTree = new StudioTreeProvider(session, logger);
    const studioView = vscode.window.createTreeView(ViewId.studio, { treeDataProvider: studioTree, showCollapseAll: true });
    studioTree.setVisible(studioView.visible);
    const engines = new EnginesTreeProvider(settings, vscode.workspace.isTrusted);
    context.subscriptions.push(
      studioTree,
      studioView,
      studioView.onDidChangeVisibility((e) => studioTree.setVisible(e.visible)),
      engines,
      vscode.window.createTreeView(ViewId.engines, { treeDataProvider: engines }),
      onDidChangeSettings((result) => {
        logSettings(logger, result);
        engines.update(result.settings, vscode.workspace.isTrusted);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => engines.update(readSettings().settings, true)),
    );
    registerCommands(context, { session, logger, channel });

    logSettings(logger, { settings, problems });
    if (!vscode.workspace.isTrusted) logger.info('Restricted mode: the folder is not trusted, so no engine process will be started.');
    void session.detect();
  } catch (error) {
    logger.error(error instanceof Error ? error : String(error));
    void vscode.window.showErrorMessage(`StudioNOVA failed to start: ${String(error)}`);
    throw error;
  }
  reportActivation(logger, performance.now() - started);
}

/** Writes the index to disk before the window closes. */
export async function deactivate(): Promise<void> {
  await session?.close();
  session = undefined;
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
