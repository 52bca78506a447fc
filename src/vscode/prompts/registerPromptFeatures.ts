import * as vscode from 'vscode';
import type { Logger } from '../../core/util/logger';
import { PromptCodeLensProvider } from '../codelens/promptCodeLensProvider';
import type { GenerationController } from '../generation/generationController';
import type { StudioSession } from '../studioSession';
import { PromptCompletions } from './promptCompletions';
import { PromptCodeActions, PromptDiagnostics } from './promptDiagnostics';
import { pageFileSelector, type PromptFiles } from './promptFiles';
import { PromptHover } from './promptHover';

/** Lenses, problems as you type, quick fixes, completions and hovers for page files. */
export function registerPromptFeatures(
  context: vscode.ExtensionContext,
  services: { files: PromptFiles; session: StudioSession; controller: GenerationController; logger: Logger },
): void {
  const { files, session, controller, logger } = services;
  const lenses = new PromptCodeLensProvider(files, session, controller);
  context.subscriptions.push(
    lenses,
    vscode.languages.registerCodeLensProvider(pageFileSelector, lenses),
    new PromptDiagnostics(files, logger),
    vscode.languages.registerCodeActionsProvider(pageFileSelector, new PromptCodeActions(files), PromptCodeActions.metadata),
    vscode.languages.registerCompletionItemProvider(pageFileSelector, new PromptCompletions(files), ...PromptCompletions.triggerCharacters),
    vscode.languages.registerHoverProvider(pageFileSelector, new PromptHover(files, session)),
  );
}
