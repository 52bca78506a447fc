import path from 'node:path';
import * as vscode from 'vscode';
import { galleryFolders, resolveGalleryImage } from '../../core/gallery/galleryPaths';
import { describeImage } from '../../core/gallery/imageDetail';
import { setRating } from '../../core/gallery/ratings';
import type { ThumbnailCache, ThumbnailResult, ThumbnailSource } from '../../core/gallery/thumbnailCache';
import type { Asset } from '../../core/model/studio';
import type { StudioIndex } from '../../core/studio/studioIndex';
import { sidecarOf } from '../../core/studio/layout';
import { CancelledError, InvalidInputError } from '../../core/util/errors';
import type { Logger } from '../../core/util/logger';
import { CommandId } from '../../shared/ids';
import {
  defaultGalleryUiState,
  type GalleryAction,
  type GalleryBootstrap,
  type GalleryDetail,
  type GalleryFilter,
  type GalleryItem,
  galleryProtocol,
  type GalleryUiState,
  galleryUiStateSchema,
} from '../../shared/protocol/gallery';
import { approveVersion, rerunVersion, unapproveVersion } from '../commands/versionActions';
import type { PromptServices } from '../commands/generateFromPrompt';
import { showError } from '../errors';
import { trash } from '../trash';
import { type Handler, onCommand, onRequest, PanelHost } from './panelHost';

export interface GalleryServices extends PromptServices {
  readonly logger: Logger;
  readonly extensionUri: vscode.Uri;
  /** Where the UI state is kept between one opening of the panel and the next. */
  readonly workspaceState: vscode.Memento;
}

/** How many items the first paint gets, without a round trip: more than a large screen shows. */
const firstPageSize = 120;
/** Thumbnails made within this time reach the webview in one message. */
const thumbBatchMs = 40;
const stateKey = 'studionova.gallery.state';

/**
 * The gallery: every image of the studio from the index, filtered and sorted by the index,
 * thumbnails made on demand, and the actions on one image. The webview only ever names images by
 * their studio path; every path it sends is checked against the index and the gallery's folders.
 */
export class GalleryPanel extends PanelHost {
  private generation = 0;
  private state: GalleryUiState;
  private readonly pendingThumbs: Array<{ path: string; uri: string | null; error?: string }> = [];
  private thumbTimer: NodeJS.Timeout | undefined;
  private roots: string;

  constructor(
    panel: vscode.WebviewPanel,
    private readonly services: GalleryServices,
    private readonly index: StudioIndex,
    private readonly thumbs: ThumbnailCache,
  ) {
    super(panel, { extensionUri: services.extensionUri, entry: 'gallery', title: 'Gallery', logger: services.logger, resourceRoots: resourceRootsOf(index, thumbs.folder) });
    this.roots = JSON.stringify(index.studioConfig?.galleryRoots ?? []);
    const saved = galleryUiStateSchema.safeParse(services.workspaceState.get(stateKey));
    this.state = saved.success ? saved.data : defaultGalleryUiState;
    this.disposables.add(thumbs.onDidMake((result) => this.thumbMade(result)));
    this.disposables.add(services.session.onDidRefresh(() => this.indexChanged()));
    this.disposables.add({ dispose: () => clearTimeout(this.thumbTimer) });
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'studionova.svg');
    this.render();
  }

  protected handlers(): Handler[] {
    return [
      onRequest(galleryProtocol.summary, ({ filter }) => ({ generation: this.generation, summary: this.index.gallery.summary(filter) })),
      onRequest(galleryProtocol.list, ({ filter, offset, limit }) => ({
        generation: this.generation,
        matching: this.index.gallery.count(filter),
        items: this.index.gallery.list(filter, offset, limit).map((asset) => this.item(asset)),
      })),
      onRequest(galleryProtocol.position, ({ filter, path: imagePath }) => ({ index: this.index.gallery.position(filter, imagePath) })),
      onRequest(galleryProtocol.detail, ({ path: imagePath }) => this.detail(this.asset(imagePath))),
      onRequest(galleryProtocol.act, ({ path: imagePath, action }) => this.act(this.asset(imagePath), action)),
      onRequest(galleryProtocol.rate, async ({ path: imagePath, rating }) => {
        const asset = this.asset(imagePath);
        await setRating(this.index.root, asset.path, rating);
        await this.services.session.refresh();
        return { rating };
      }),
      onCommand(galleryProtocol.wantThumbs, ({ paths }) => this.thumbs.want(paths.flatMap((p) => this.thumbnailSource(p) ?? []))),
      onCommand(galleryProtocol.saveState, ({ state }) => {
        this.state = state;
        void this.services.workspaceState.update(stateKey, state);
      }),
    ];
  }

  /** Shows what a filter picks, from the top. */
  showFilter(filter: GalleryFilter): void {
    this.state = { ...defaultGalleryUiState, filter };
    this.notify(galleryProtocol.showFilter, { filter });
  }

  /** Selects an image, and opens it with `open` (the gallery opened for a finished generation). */
  reveal(imagePath: string, open: boolean): void {
    this.notify(galleryProtocol.reveal, { path: imagePath, open });
  }

  protected bootstrap(): GalleryBootstrap {
    const filter = this.state.filter;
    return {
      state: this.state,
      summary: this.index.gallery.summary(filter),
      items: this.index.gallery.list(filter, 0, firstPageSize).map((asset) => this.item(asset)),
      generation: this.generation,
    };
  }

  private indexChanged(): void {
    this.generation++;
    const roots = JSON.stringify(this.index.studioConfig?.galleryRoots ?? []);
    if (roots !== this.roots) {
      // New gallery folders must be readable by the webview: its options change, and it reloads.
      this.roots = roots;
      this.setResourceRoots(resourceRootsOf(this.index, this.thumbs.folder));
      this.render();
      return;
    }
    this.notify(galleryProtocol.changed, { generation: this.generation });
  }

  /** The image a webview path names; refused unless the index knows it and it lies in the studio or a gallery folder. */
  private asset(imagePath: string): Asset {
    let asset: Asset | undefined;
    resolveGalleryImage(this.index.root, this.index.studioConfig?.galleryRoots ?? [], imagePath, (p) => (asset = this.index.assets.get(p)) !== undefined);
    return asset!;
  }

  private item(asset: Asset): GalleryItem {
    const cached = this.thumbs.cachedFile(thumbnailSourceOf(this.index.root, asset));
    return {
      path: asset.path,
      name: path.posix.basename(asset.path),
      thumb: cached ? this.panel.webview.asWebviewUri(vscode.Uri.file(cached)).toString() : null,
      seed: asset.seed ?? null,
      rating: asset.rating,
      approved: asset.approved,
      source: asset.source,
      createdMs: asset.createdMs,
    };
  }

  private thumbnailSource(imagePath: string): ThumbnailSource | undefined {
    try {
      return thumbnailSourceOf(this.index.root, this.asset(imagePath));
    } catch {
      return undefined; // gone meanwhile, or refused: nothing to make
    }
  }

  private thumbMade(result: ThumbnailResult): void {
    this.pendingThumbs.push(
      'file' in result ? { path: result.path, uri: this.panel.webview.asWebviewUri(vscode.Uri.file(result.file)).toString() } : { path: result.path, uri: null, error: result.error },
    );
    this.thumbTimer ??= setTimeout(() => {
      this.thumbTimer = undefined;
      this.notify(galleryProtocol.thumbsReady, { thumbs: this.pendingThumbs.splice(0) });
    }, thumbBatchMs);
  }

  private async detail(asset: Asset): Promise<GalleryDetail> {
    const described = await describeImage(this.index.root, asset);
    return {
      item: this.item(asset),
      image: this.panel.webview.asWebviewUri(vscode.Uri.file(path.resolve(this.index.root, asset.path))).toString(),
      width: described.parameters.width ?? null,
      height: described.parameters.height ?? null,
      prompt: described.parameters.prompt ?? null,
      negative: described.parameters.negative ?? null,
      fields: described.fields,
      origin: described.origin,
      actions: described.actions,
    };
  }

  private async act(asset: Asset, action: GalleryAction): Promise<{ message: string | null }> {
    const root = vscode.Uri.file(this.index.root);
    const uri = vscode.Uri.file(path.resolve(this.index.root, asset.path));
    const name = path.posix.basename(asset.path);
    switch (action) {
      case 'rerun':
      case 'rerunNewSeed':
        // The re-run is followed in its own progress notification; the gallery shows its image when it lands.
        void rerunVersion(this.services, asset, action === 'rerunNewSeed').catch((error: unknown) => showError(this.services.logger, error));
        return { message: action === 'rerun' ? `Re-running ${name}…` : `Re-running ${name} with a new seed…` };
      case 'copyPrompt':
        // The index holds the prompt already, from the generation log or the image's own metadata.
        if (!asset.prompt) throw new InvalidInputError(`${name} has no prompt to copy.`);
        await vscode.env.clipboard.writeText(asset.prompt);
        return { message: 'Prompt copied.' };
      case 'openPrompt':
        await this.openPrompt(asset);
        return { message: null };
      case 'approve':
        await approveVersion(this.services.session, this.services.logger, asset);
        return { message: `Approved ${name}.` };
      case 'unapprove':
        await unapproveVersion(this.services.session, this.services.logger, asset);
        return { message: `Withdrew the approval of ${name}.` };
      case 'reveal':
        await vscode.commands.executeCommand('revealFileInOS', uri);
        return { message: null };
      case 'openImage':
        await vscode.commands.executeCommand('vscode.open', uri);
        return { message: null };
      case 'describe':
        // Followed in its own editor and progress notification.
        void vscode.commands.executeCommand(CommandId.describeImage, uri);
        return { message: `Describing ${name} with a vision model…` };
      case 'delete':
        return { message: await this.delete(root, asset) };
    }
  }

  private async openPrompt(asset: Asset): Promise<void> {
    const { promptFile, panel } = await describeImage(this.index.root, asset);
    if (!promptFile) throw new InvalidInputError(`${path.posix.basename(asset.path)} was not generated from a prompt file.`);
    const line = this.index.pages.get(promptFile)?.panels.find((p) => p.index === panel)?.line ?? 0;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.Uri.file(this.index.root), promptFile));
    const position = new vscode.Position(line, 0);
    await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.One });
  }

  private async delete(root: vscode.Uri, asset: Asset): Promise<string> {
    const name = path.posix.basename(asset.path);
    const remove = 'Move to Trash';
    const what = asset.hasSidecar ? 'The image and its workflow sidecar go to the trash.' : 'The image goes to the trash.';
    // The approved copy is the panel's chosen picture in its own right; deleting the raw version leaves it.
    const kept = asset.approved && asset.stage === 'raw' ? ' Its approved copy stays, and is shown in its place.' : '';
    const answer = await vscode.window.showWarningMessage(`Delete ${name}?`, { modal: true, detail: what + kept }, remove);
    if (answer !== remove) throw new CancelledError();
    await trash(root, asset.path, this.services.logger);
    if (asset.hasSidecar) await trash(root, sidecarOf(asset.path), this.services.logger);
    await this.services.session.refresh();
    return `Moved ${name} to the trash.`;
  }
}

function thumbnailSourceOf(root: string, asset: Asset): ThumbnailSource {
  return { path: asset.path, file: path.resolve(root, asset.path), size: asset.size, mtimeMs: asset.mtimeMs };
}

function resourceRootsOf(index: StudioIndex, thumbnails: string): vscode.Uri[] {
  return galleryFolders(index.root, thumbnails, index.studioConfig?.galleryRoots ?? []).map((folder) => vscode.Uri.file(folder));
}
