import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { thumbnailFolder } from '../../core/studio/layout';
import type { GalleryFilter } from '../../shared/protocol/gallery';
import { defaultGalleryFilter, galleryViewType } from '../../shared/protocol/gallery';
import { requireStudio } from '../commands/requireStudio';
import { ChapterNode, CharacterNode } from '../tree/studioNodes';
import { PageNode, VersionNode } from '../tree/pageNodes';
import type { GalleryPanel, GalleryServices } from './galleryPanel';

export interface GalleryHostServices extends GalleryServices {
  /** Where thumbnails go when the studio's own folder must not be written (an untrusted workspace). */
  readonly storageUri: vscode.Uri;
}

/** What the gallery is opened for: an image to show, or a filter from a tree item. */
type GalleryTarget = { readonly kind: 'image'; readonly path: string } | { readonly kind: 'filter'; readonly filter: GalleryFilter } | { readonly kind: 'none' };

let current: GalleryPanel | undefined;
const pruneDelayMs = 5_000;

/**
 * Opens the gallery, or brings it forward. From a version or a finished generation it shows
 * that image; from a chapter, page or character it shows theirs.
 */
export async function openGallery(services: GalleryHostServices, argument: unknown): Promise<void> {
  await requireStudio(services.session);
  const target = galleryTarget(argument);
  if (current && !current.isDisposed) {
    current.panel.reveal();
  } else {
    const panel = vscode.window.createWebviewPanel(galleryViewType, 'Gallery', vscode.ViewColumn.Active, { enableScripts: true });
    current = await createGalleryPanel(panel, services);
  }
  if (target.kind === 'image') current.reveal(target.path, true);
  if (target.kind === 'filter') current.showFilter(target.filter);
}

/** Brings back a gallery that was open when the window closed. */
export function registerGallerySerializer(services: GalleryHostServices): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(galleryViewType, {
    deserializeWebviewPanel: async (panel) => {
      if (!services.session.root) await services.session.detect();
      if (!services.session.root) {
        panel.dispose();
        return;
      }
      current = await createGalleryPanel(panel, services);
    },
  });
}

async function createGalleryPanel(panel: vscode.WebviewPanel, services: GalleryHostServices): Promise<GalleryPanel> {
  const [{ GalleryPanel }, { ThumbnailCache }, index] = await Promise.all([import('./galleryPanel'), import('../../core/gallery/thumbnailCache'), services.session.index()]);
  // sharp shares libuv's four threads with the extension host's file access: leave some of them free.
  const concurrency = Math.max(1, Math.min(availableParallelism() - 1, 3));
  const thumbs = await ThumbnailCache.create({ folder: thumbnailsOf(index.root, services.storageUri), logger: services.logger, concurrency });
  const gallery = new GalleryPanel(panel, services, index, thumbs);
  // Thumbnails of deleted or changed images are dropped once the first screen is painted.
  const prune = setTimeout(() => {
    const keep = index.assets.selectWhere('', []).map((asset) => ({ path: asset.path, file: path.resolve(index.root, asset.path), size: asset.size, mtimeMs: asset.mtimeMs }));
    void thumbs.prune(keep).then((removed) => removed > 0 && services.logger.info(`Removed ${removed} thumbnails of images that changed or are gone.`));
  }, pruneDelayMs);
  gallery.panel.onDidDispose(() => {
    clearTimeout(prune);
    thumbs.dispose();
  });
  return gallery;
}

/** The studio's .studio/thumbs, or, in an untrusted folder that StudioNOVA does not write into, the extension's storage. */
export function thumbnailsOf(root: string, storageUri: vscode.Uri): string {
  if (vscode.workspace.isTrusted) return path.join(root, thumbnailFolder);
  const id = createHash('sha1').update(root).digest('hex').slice(0, 16);
  return path.join(storageUri.fsPath, 'thumbs', id);
}

function galleryTarget(argument: unknown): GalleryTarget {
  if (argument instanceof VersionNode) return { kind: 'image', path: argument.asset.path };
  if (argument instanceof PageNode) return { kind: 'filter', filter: { ...defaultGalleryFilter, chapter: argument.page.chapterId, page: argument.page.number } };
  if (argument instanceof ChapterNode) return { kind: 'filter', filter: { ...defaultGalleryFilter, chapter: argument.chapter.id } };
  if (argument instanceof CharacterNode) return { kind: 'filter', filter: { ...defaultGalleryFilter, character: argument.character.id } };
  if (typeof argument === 'object' && argument !== null && typeof (argument as { reveal?: unknown }).reveal === 'string') {
    return { kind: 'image', path: (argument as { reveal: string }).reveal };
  }
  return { kind: 'none' };
}
