import path from 'node:path';
import * as vscode from 'vscode';
import { isInside } from '../core/util/files';
import { studioFile } from '../core/studio/layout';
import { type RefreshResult, StudioIndex } from '../core/studio/studioIndex';
import { DebouncedTask } from '../core/util/debouncedTask';
import { DisposableStore } from '../core/util/disposable';
import { Emitter } from '../core/util/emitter';
import type { Logger } from '../core/util/logger';
import { ContextKey } from '../shared/ids';
import { uriExists } from './uriExists';

export type StudioState = { readonly kind: 'searching' } | { readonly kind: 'none' } | { readonly kind: 'ready'; readonly root: vscode.Uri };

/** How long file events are gathered before the index is refreshed: one refresh per burst (git checkout). */
const refreshDelayMs = 60;
/** A hold on the refresh that is never released (a bug) stops holding after this long. */
const longestHoldMs = 60_000;

/**
 * The studio of the open workspace: finds it, opens its index on first need, and keeps the
 * index in step with the files through a file-system watcher, whoever changes them.
 */
export class StudioSession implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  /** What belongs to the current studio (watchers, the index); replaced when the studio changes. */
  private studioDisposables = new DisposableStore();
  private readonly stateChanged = new Emitter<StudioState>();
  private readonly refreshed = new Emitter<RefreshResult>();
  /** Fires when the folder becomes a studio, stops being one, or another folder is the studio. */
  readonly onDidChangeState = this.stateChanged.event;
  /** Fires after the index changed because files changed. */
  readonly onDidRefresh = this.refreshed.event;

  private currentState: StudioState = { kind: 'searching' };
  private indexPromise: Promise<StudioIndex> | undefined;
  private readonly refresher = new DebouncedTask({
    delayMs: refreshDelayMs,
    longestHoldMs,
    run: () => void this.refresh().catch((error: unknown) => this.options.logger.error(error instanceof Error ? error : String(error))),
    holdExpired: () => this.options.logger.warn(`The studio index refresh was held for ${longestHoldMs / 1000} s; refreshing again.`),
  });
  private detecting: Promise<void> | undefined;
  private galleryRootWatchers = new DisposableStore();
  private watchedRootsKey = '[]';

  constructor(
    private readonly options: { readonly wasmPath: string; readonly logger: Logger; readonly persistIndex: () => boolean },
  ) {
    this.disposables.add(this.stateChanged);
    this.disposables.add(this.refreshed);
    this.disposables.add(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.detect()));
  }

  get state(): StudioState {
    return this.currentState;
  }

  /** The studio's root folder, or undefined while there is none. */
  get root(): vscode.Uri | undefined {
    return this.currentState.kind === 'ready' ? this.currentState.root : undefined;
  }

  /** Looks for a studio among the workspace folders. Asynchronous: never run inside activate(). */
  detect(): Promise<void> {
    this.detecting = (this.detecting ?? Promise.resolve()).then(() => this.detectNow());
    return this.detecting;
  }

  /** The index, opened (and rebuilt if needed) on first call. */
  index(): Promise<StudioIndex> {
    const root = this.root;
    if (!root) return Promise.reject(new Error('No studio is open.'));
    this.indexPromise ??= StudioIndex.open({
      root: root.fsPath,
      wasmPath: this.options.wasmPath,
      logger: this.options.logger,
      persist: this.options.persistIndex(),
    }).then(
      (index) => {
        this.watchGalleryRoots(index);
        this.studioDisposables.add(
          index.onDidRefresh((result) => {
            this.watchGalleryRoots(index);
            this.refreshed.fire(result);
          }),
        );
        this.studioDisposables.add(index);
        this.options.logger.info(`Studio index open: ${describeCounts(index)}${index.recovery === 'none' ? '' : ` (rebuilt: ${index.recovery})`}.`);
        this.refreshed.fire({ changed: true, reparsed: 0, counts: index.counts(), durationMs: 0 });
        return index;
      },
      (error: unknown) => {
        this.indexPromise = undefined;
        throw error;
      },
    );
    return this.indexPromise;
  }

  /** Refreshes now (commands that just wrote a file call this, instead of waiting for the watcher). */
  async refresh(): Promise<void> {
    if (this.indexPromise) await (await this.indexPromise).refresh();
  }

  /**
   * Holds the refresh that file events schedule until the returned disposable is disposed, for a
   * writer that knows what it changes (the caption editor saving 2,000 captions): a refresh walking
   * the whole studio meanwhile competes with its writes for the same file threads and slows them.
   * Events seen meanwhile are not lost: one refresh follows the last hold.
   */
  holdRefresh(): vscode.Disposable {
    return this.refresher.hold();
  }

  async rebuild(): Promise<RefreshResult | undefined> {
    if (!this.root) return undefined;
    return (await this.index()).rebuild();
  }

  /** Writes the index to disk and closes it (deactivation). */
  async close(): Promise<void> {
    const index = await this.indexPromise?.catch(() => undefined);
    await index?.close();
  }

  dispose(): void {
    this.refresher.dispose();
    this.studioDisposables.dispose();
    this.disposables.dispose();
  }

  private async detectNow(): Promise<void> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
    let root: vscode.Uri | undefined;
    for (const folder of folders) {
      if (await uriExists(vscode.Uri.joinPath(folder.uri, studioFile))) {
        root = folder.uri;
        break;
      }
    }
    if (root?.toString() === this.root?.toString() && this.currentState.kind !== 'searching') return;
    this.closeStudio();
    this.currentState = root ? { kind: 'ready', root } : { kind: 'none' };
    this.watch(root, folders);
    this.options.logger.info(root ? `Studio: ${root.fsPath}` : 'No studio.json in the open folders.');
    // Listeners hear of the new studio before anything can open its index, so what they clear
    // for the old studio never wipes what the new one publishes.
    this.stateChanged.fire(this.currentState);
    await vscode.commands.executeCommand('setContext', ContextKey.studioState, this.currentState.kind);
  }

  private watch(root: vscode.Uri | undefined, folders: readonly vscode.WorkspaceFolder[]): void {
    if (root) {
      const watcher = this.studioDisposables.add(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, '**/*')));
      const studioJson = vscode.Uri.joinPath(root, studioFile).path;
      const changed = (uri: vscode.Uri): void => {
        if (uri.path === studioJson) void this.detect();
        if (!/\/\.studio(\/|$)/.test(uri.path)) this.scheduleRefresh();
      };
      this.studioDisposables.add(watcher.onDidCreate(changed));
      this.studioDisposables.add(watcher.onDidChange(changed));
      this.studioDisposables.add(watcher.onDidDelete(changed));
      return;
    }
    // Not a studio yet: watch for a studio.json appearing (New Studio, git checkout, another tool).
    for (const folder of folders) {
      const watcher = this.studioDisposables.add(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, studioFile)));
      this.studioDisposables.add(watcher.onDidCreate(() => void this.detect()));
    }
  }

  /**
   * Gallery folders outside the studio are not seen by the studio's watcher: each gets its own,
   * for images only, made again when studio.json changes the list.
   */
  private watchGalleryRoots(index: StudioIndex): void {
    const roots = (index.studioConfig?.galleryRoots ?? []).map((root) => path.resolve(index.root, root)).filter((root) => !isInside(index.root, root));
    const key = JSON.stringify(roots);
    if (key === this.watchedRootsKey) return;
    this.watchedRootsKey = key;
    this.galleryRootWatchers.dispose();
    this.galleryRootWatchers = this.studioDisposables.add(new DisposableStore());
    for (const root of roots) {
      const watcher = this.galleryRootWatchers.add(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '**/*.{png,jpg,jpeg,webp,PNG,JPG,JPEG,WEBP}')));
      this.galleryRootWatchers.add(watcher.onDidCreate(() => this.scheduleRefresh()));
      this.galleryRootWatchers.add(watcher.onDidChange(() => this.scheduleRefresh()));
      this.galleryRootWatchers.add(watcher.onDidDelete(() => this.scheduleRefresh()));
    }
  }

  private scheduleRefresh(): void {
    if (!this.indexPromise) return; // Nothing is open yet: the first open reads everything anyway.
    this.refresher.request();
  }

  private closeStudio(): void {
    this.refresher.cancel();
    this.studioDisposables.dispose();
    this.studioDisposables = new DisposableStore();
    this.indexPromise = undefined;
    this.watchedRootsKey = '[]';
  }
}

function describeCounts(index: StudioIndex): string {
  const c = index.counts();
  return `${c.characters} characters, ${c.datasets} datasets, ${c.loras} LoRAs, ${c.chapters} chapters, ${c.pages} pages, ${c.assets} images, ${c.problems} problems`;
}
