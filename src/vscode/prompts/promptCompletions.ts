import * as vscode from 'vscode';
import { type CompletionKind, completionsAt } from '../../core/prompts/completionsAt';
import type { PromptFiles } from './promptFiles';

const itemKinds: Record<CompletionKind, vscode.CompletionItemKind> = {
  character: vscode.CompletionItemKind.User,
  sampler: vscode.CompletionItemKind.EnumMember,
  scheduler: vscode.CompletionItemKind.EnumMember,
  checkpoint: vscode.CompletionItemKind.File,
  lora: vscode.CompletionItemKind.File,
  template: vscode.CompletionItemKind.Module,
};

const details: Record<CompletionKind, string> = {
  character: 'character of this studio',
  sampler: 'sampler ComfyUI has',
  scheduler: 'scheduler ComfyUI has',
  checkpoint: 'checkpoint in ComfyUI',
  lora: 'LoRA in ComfyUI',
  template: 'workflow template',
};

/** Values for `character:`, `sampler:`, `scheduler:`, `checkpoint:`, `lora:` and `template:`. */
export class PromptCompletions implements vscode.CompletionItemProvider {
  static readonly triggerCharacters = [':', ' '];

  constructor(private readonly files: PromptFiles) {}

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[]> {
    const studioPath = this.files.studioPath(document);
    if (!studioPath) return [];
    const context = await this.files.context();
    if (!context) return [];
    const parsed = this.files.parse(document, studioPath);
    return completionsAt(parsed, position.line, position.character, context).map((completion) => {
      const item = new vscode.CompletionItem(completion.label, itemKinds[completion.kind]);
      const { startLine, startColumn, endLine, endColumn } = completion.range;
      item.range = new vscode.Range(startLine, startColumn, endLine, endColumn);
      item.insertText = completion.insertText;
      // The editor filters by what is typed after the colon, leading space included.
      item.filterText = completion.insertText;
      item.detail = details[completion.kind];
      return item;
    });
  }
}
