import * as vscode from 'vscode';
import { characterRefsFolder, isImageFile } from '../../core/studio/layout';
import { valueAt } from '../../core/prompts/valueAt';
import type { StudioSession } from '../studioSession';
import type { PromptFiles } from './promptFiles';

/** Hover on a character's id: its name, trigger word, LoRA and first reference image. */
export class PromptHover implements vscode.HoverProvider {
  constructor(
    private readonly files: PromptFiles,
    private readonly session: StudioSession,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const studioPath = this.files.studioPath(document);
    const root = this.session.root;
    if (!studioPath || !root) return undefined;
    const found = valueAt(this.files.parse(document, studioPath), position.line, position.character);
    if (found?.key !== 'character' || typeof found.value !== 'string') return undefined;
    const index = await this.session.index();
    const character = index.characters.get(found.value);
    const md = new vscode.MarkdownString(undefined, true);
    if (!character) {
      md.appendMarkdown('$(warning) ').appendText(`No character "${found.value}" in this studio.`);
    } else {
      // Values come from files anyone can write: appended as text, never as markdown.
      md.appendMarkdown('**').appendText(character.name).appendMarkdown('**  \n');
      md.appendMarkdown('Trigger word: ').appendText(character.trigger ?? '(none)').appendMarkdown('  \n');
      md.appendMarkdown('LoRA: ').appendText(character.lora ?? '(none)').appendMarkdown('  \n');
      if (character.class) md.appendMarkdown('Class: ').appendText(character.class).appendMarkdown('  \n');
      const reference = await firstReference(root, character.id);
      if (reference) md.appendMarkdown(`\n![reference image of ${character.id}](${reference.toString()}|height=160)`);
      else md.appendMarkdown('\n_No reference image yet: add one to ').appendText(`${characterRefsFolder(character.id)}/`).appendMarkdown('_');
    }
    const { startLine, startColumn, endLine, endColumn } = found.range;
    return new vscode.Hover(md, new vscode.Range(startLine, startColumn, endLine, endColumn));
  }
}

async function firstReference(root: vscode.Uri, characterId: string): Promise<vscode.Uri | undefined> {
  const folder = vscode.Uri.joinPath(root, characterRefsFolder(characterId));
  const entries = await vscode.workspace.fs.readDirectory(folder).then(undefined, () => [] as Array<[string, vscode.FileType]>);
  const name = entries
    .filter(([entry, type]) => type === vscode.FileType.File && isImageFile(entry))
    .map(([entry]) => entry)
    .sort()[0];
  return name ? vscode.Uri.joinPath(folder, name) : undefined;
}
