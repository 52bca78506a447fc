import * as vscode from 'vscode';
import { AppError, errorMessage, isCancellation } from '../core/util/errors';
import type { Logger } from '../core/util/logger';
import { CommandId } from '../shared/ids';

/**
 * The one place that turns errors into notifications: logged with their stack, then shown once
 * with a way to the log. Cancellation is silent.
 */
export async function showError(logger: Logger, error: unknown, context?: string): Promise<void> {
  if (isCancellation(error)) return;
  logger.error(error instanceof Error ? error : String(error));
  const message = context ? `${context}: ${errorMessage(error)}` : errorMessage(error);
  const actions = actionsFor(error);
  const choice = await vscode.window.showErrorMessage(message, ...actions.map(([label]) => label));
  const action = actions.find(([label]) => label === choice);
  if (action) await vscode.commands.executeCommand(...action[1]);
}

/** The buttons an error offers: the way out first, the log last. */
function actionsFor(error: unknown): Array<[string, [string, ...unknown[]]]> {
  const code = error instanceof AppError ? error.code : '';
  const settings: [string, [string, ...unknown[]]] = ['Open Settings', [CommandId.openEngineSettings, 'studionova.comfyui']];
  if (code === 'comfy_unavailable' || code === 'comfy_not_configured') return [['Start', [CommandId.startComfy]], settings];
  if (code.startsWith('process_')) return [['Show ComfyUI Log', [CommandId.showComfyLog]], settings];
  return [['Show Logs', [CommandId.showLog]]];
}

/** Wraps a command handler: logs the start, and routes any failure through `showError`. */
export function runCommand<A extends unknown[]>(
  logger: Logger,
  id: CommandId,
  handler: (...args: A) => Promise<unknown> | unknown,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    logger.debug(`Command ${id}`);
    try {
      await handler(...args);
    } catch (error) {
      // Expected failures (AppError) read as a sentence; anything else keeps its origin.
      await showError(logger, error, error instanceof AppError ? undefined : `Command ${id} failed`);
    }
  };
}
