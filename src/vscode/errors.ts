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
  const showLogs = 'Show Logs';
  const choice = await vscode.window.showErrorMessage(message, showLogs);
  if (choice === showLogs) await vscode.commands.executeCommand(CommandId.showLog);
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
