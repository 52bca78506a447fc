import path from 'node:path';
import * as vscode from 'vscode';
import { readVisionImage } from '../../core/images/visionImage';
import { OllamaClient } from '../../core/ollama/ollamaClient';
import { cleanPromptDraft, promptDraftInstruction } from '../../core/ollama/promptDraft';
import type { Settings } from '../../core/settings/settings';
import { CancelledError, InvalidInputError } from '../../core/util/errors';

export interface DescribeServices {
  readonly settings: () => Settings;
  readonly workspaceState: vscode.Memento;
}

const modelKey = 'studionova.ollama.visionModel';
/** How often the streamed answer is written into the draft: often enough to watch, rarely enough not to flood the editor. */
const redrawMs = 150;

/**
 * A local vision model turns a reference image into a prompt draft: one line of tags, streamed
 * into a new editor as Ollama writes it, ready to paste under a panel of a page file.
 */
export async function describeImageAsPrompt(services: DescribeServices, target: unknown): Promise<void> {
  const image = target instanceof vscode.Uri ? target : await pickImage();
  const client = new OllamaClient(services.settings().ollama.url);
  const model = await pickVisionModel(client, services.workspaceState);
  const bytes = await readVisionImage(image.fsPath);
  const header = `<!-- A prompt draft for ${path.basename(image.fsPath)}, by ${model} through Ollama -->\n\n`;
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: header });
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  let written = '';
  let shown = '';
  // One edit at a time: an edit made while another is in flight is refused by the editor.
  let drawing: Promise<void> = Promise.resolve();
  const show = (text: string): Promise<void> => {
    drawing = drawing.then(async () => {
      const start = document.positionAt(header.length);
      const end = document.positionAt(document.getText().length);
      if (await editor.edit((edit) => edit.replace(new vscode.Range(start, end), text), { undoStopBefore: false, undoStopAfter: false })) shown = text;
    });
    return drawing;
  };
  let queued = false;
  const timer = setInterval(() => {
    if (written === shown || queued) return;
    queued = true;
    void show(written).finally(() => (queued = false));
  }, redrawMs);
  try {
    const { text } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Describing ${path.basename(image.fsPath)} with ${model}`, cancellable: true },
      (_progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return client.describeImage({ model, image: bytes, prompt: promptDraftInstruction, onText: (piece) => (written += piece) }, abort.signal);
      },
    );
    clearInterval(timer);
    await show(`${cleanPromptDraft(text)}\n`);
  } finally {
    clearInterval(timer);
  }
}

async function pickImage(): Promise<vscode.Uri> {
  const picked = await vscode.window.showOpenDialog({ title: 'Describe an Image as a Prompt', canSelectMany: false, filters: { Images: ['png', 'jpg', 'jpeg', 'webp'] } });
  if (!picked?.[0]) throw new CancelledError();
  return picked[0];
}

/** The vision model used last, while Ollama still has it; otherwise the only one, or the one picked. */
async function pickVisionModel(client: OllamaClient, state: vscode.Memento): Promise<string> {
  const models = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Asking Ollama for its vision models' }, () => client.listVisionModels());
  if (models.length === 0) throw new InvalidInputError('Ollama has no vision model: run `ollama pull llava:7b` (or `ollama pull qwen2.5vl:7b`), then try again.');
  const remembered = state.get<string>(modelKey);
  if (models.length === 1 || models.some((m) => m.name === remembered)) {
    const model = models.find((m) => m.name === remembered)?.name ?? models[0]!.name;
    return model;
  }
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.name, description: m.capabilities.join(', ') })),
    { title: 'Describe an Image as a Prompt', placeHolder: 'Which vision model?' },
  );
  if (!picked) throw new CancelledError();
  await state.update(modelKey, picked.label);
  return picked.label;
}
