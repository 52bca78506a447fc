import path from 'node:path';
import * as vscode from 'vscode';
import type { ImportSource } from '../../core/datasets/importImages';
import { type CropChoice, cropChoices } from '../../core/images/squareCrop';
import { uprightSize } from '../../core/images/trainingImage';
import { CancelledError } from '../../core/util/errors';

/** A picture that is not square, and the ways to crop it. */
interface Uncropped {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly choices: readonly CropChoice[];
}

type CropItem = vscode.QuickPickItem & { readonly choice?: CropChoice; readonly rest?: true };

/**
 * Training images are square. When some of the pictures to import are not, asks whether to keep
 * the middle of each (the default, and what an import does without asking) or to choose for
 * each one which square to keep: its middle or one end, with the picture shown beside the
 * question. Escape cancels the import. A picture that cannot be read is left as it is: the
 * import reports it.
 */
export async function chooseCrops(files: readonly string[], title: string): Promise<ImportSource[]> {
  const uncropped: Uncropped[] = [];
  for (const file of files) {
    const size = await uprightSize(file).catch(() => undefined);
    const choices = size ? cropChoices(size.width, size.height) : [];
    if (size && choices.length > 0) uncropped.push({ file, ...size, choices });
  }
  if (uncropped.length === 0) return files.map((file) => ({ file }));

  const centre: vscode.QuickPickItem = { label: 'Centre crop', description: 'keep the middle square of each picture (default)' };
  const each: vscode.QuickPickItem = { label: 'Choose the crop for each picture…', description: 'the middle, or the square at one end, with the picture shown' };
  const how = await vscode.window.showQuickPick([centre, each], {
    title,
    placeHolder: `${uncropped.length} of the ${files.length} ${files.length === 1 ? 'picture is' : 'pictures are'} not square: training images are. Which part of each to keep?`,
  });
  if (!how) throw new CancelledError();
  if (how === centre) return files.map((file) => ({ file }));

  const crops = new Map<string, CropChoice['crop']>();
  const preview = new PicturePreview();
  try {
    for (const [index, picture] of uncropped.entries()) {
      await preview.show(picture.file);
      const remaining = uncropped.length - index;
      const items: CropItem[] = picture.choices.map((choice) => ({ label: choice.label, description: choice.description, choice }));
      if (remaining > 1) items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: `Centre for this and the ${remaining - 1} after it`, rest: true });
      const picked = await vscode.window.showQuickPick(items, {
        title: `${title}: ${path.basename(picture.file)} (${index + 1} of ${uncropped.length})`,
        placeHolder: `${picture.width}×${picture.height}, shown beside: which square to keep?`,
        // Looking at the picture beside must not close the question.
        ignoreFocusOut: true,
      });
      if (!picked) throw new CancelledError();
      if (picked.rest) break;
      crops.set(picture.file, picked.choice?.crop);
    }
  } finally {
    await preview.close();
  }
  return files.map((file) => ({ file, crop: crops.get(file) }));
}

/** The picture being asked about, in a preview editor beside; closed at the end unless it was open before. */
class PicturePreview {
  private readonly opened = new Set<string>();

  async show(file: string): Promise<void> {
    if (!isOpen(file)) this.opened.add(file);
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { preview: true, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
  }

  async close(): Promise<void> {
    const tabs = allTabs().filter((tab) => this.opened.has(tabFile(tab) ?? ''));
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
  }
}

function allTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs);
}

function isOpen(file: string): boolean {
  return allTabs().some((tab) => tabFile(tab) === file);
}

function tabFile(tab: vscode.Tab): string | undefined {
  const input = tab.input;
  return input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri.fsPath : undefined;
}
