import { availableParallelism } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { datasetFolder } from '../../core/studio/layout';
import { CancelledError, errorMessage, InvalidInputError } from '../../core/util/errors';
import type { Dataset } from '../../core/model/studio';
import { captionsViewStateSchema, captionsViewType } from '../../shared/protocol/captions';
import { requireStudio } from '../commands/requireStudio';
import type { StudioSession } from '../studioSession';
import { DatasetNode } from '../tree/studioNodes';
import type { CaptionsPanel, CaptionsServices } from './captionsPanel';
import { thumbnailsOf } from './openGallery';

export interface CaptionsHostServices extends Omit<CaptionsServices, 'holdStudioRefresh'> {
  readonly session: StudioSession;
  /** Where thumbnails go when the studio's own folder must not be written (an untrusted workspace). */
  readonly storageUri: vscode.Uri;
}

/** One editor per dataset, by dataset id. */
const open = new Map<string, CaptionsPanel>();

/**
 * Opens the caption editor of a dataset, or brings its panel forward. From a dataset item in the
 * Studio view it edits that dataset; from the palette it asks which.
 */
export async function openCaptions(services: CaptionsHostServices, argument: unknown): Promise<void> {
  await requireStudio(services.session);
  const index = await services.session.index();
  const datasets = index.datasets.list();
  const dataset = argument instanceof DatasetNode ? argument.dataset : await pickDataset(datasets);
  const existing = open.get(dataset.id);
  if (existing && !existing.isDisposed) {
    existing.panel.reveal();
    return;
  }
  await showCaptions(services, dataset, () => vscode.window.createWebviewPanel(captionsViewType, `Captions: ${dataset.id}`, vscode.ViewColumn.Active, { enableScripts: true }));
}

/**
 * Brings back a caption editor that was open when the window closed, on the dataset its webview
 * named; disposed when that dataset is gone (or its studio is).
 */
export function registerCaptionsSerializer(services: CaptionsHostServices): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(captionsViewType, {
    deserializeWebviewPanel: async (webviewPanel, state) => {
      const parsed = captionsViewStateSchema.safeParse(state);
      if (!services.session.root) await services.session.detect();
      const dataset = parsed.success && services.session.root ? (await services.session.index()).datasets.get(parsed.data.datasetId) : undefined;
      if (!dataset || open.get(dataset.id)?.isDisposed === false) {
        webviewPanel.dispose();
        return;
      }
      await showCaptions(services, dataset, () => webviewPanel).catch((error: unknown) => {
        webviewPanel.dispose();
        services.logger.warn(`The caption editor of ${dataset.id} was not restored: ${errorMessage(error)}`);
      });
    },
  });
}

/** Loads the dataset's captions, then fills the panel `createPanel` gives (made only once they are read). */
async function showCaptions(services: CaptionsHostServices, dataset: Dataset, createPanel: () => vscode.WebviewPanel): Promise<void> {
  const index = await services.session.index();
  const [{ CaptionsPanel }, { CaptionStore }, { ThumbnailCache }] = await Promise.all([
    import('./captionsPanel'),
    import('../../core/captions/captionStore'),
    import('../../core/gallery/thumbnailCache'),
  ]);
  const folder = path.resolve(index.root, datasetFolder(dataset.id));
  const store = await CaptionStore.load(folder);
  // sharp shares libuv's four threads with the extension host's file access: leave some of them free.
  const concurrency = Math.max(1, Math.min(availableParallelism() - 1, 2));
  const thumbs = await ThumbnailCache.create({ folder: thumbnailsOf(index.root, services.storageUri), logger: services.logger, concurrency });
  const webviewPanel = createPanel();
  const character = dataset.characterId === undefined ? undefined : index.characters.get(dataset.characterId);
  const captioned = { id: dataset.id, trigger: dataset.trigger, class: character?.class, folder, root: index.root };
  const panel = new CaptionsPanel(webviewPanel, { ...services, holdStudioRefresh: () => services.session.holdRefresh() }, captioned, store, thumbs);
  open.set(dataset.id, panel);
  webviewPanel.onDidDispose(() => {
    thumbs.dispose();
    if (open.get(dataset.id) === panel) open.delete(dataset.id);
  });
}

async function pickDataset(datasets: readonly Dataset[]): Promise<Dataset> {
  if (datasets.length === 0) throw new InvalidInputError('This studio has no datasets yet: attach training images to a character first.');
  if (datasets.length === 1) return datasets[0]!;
  const picked = await vscode.window.showQuickPick(
    datasets.map((dataset) => ({ label: dataset.id, description: `${dataset.imageCount} images · ${dataset.captionedCount} captioned`, dataset })),
    { title: 'Open Caption Editor', placeHolder: 'The dataset whose captions to edit' },
  );
  if (!picked) throw new CancelledError();
  return picked.dataset;
}
