import {
  type GalleryAction,
  type GalleryBootstrap,
  type GalleryDetail,
  type GalleryFilter,
  type GallerySummary,
  type GalleryUiState,
  galleryProtocol,
} from '../../src/shared/protocol/gallery';
import { debounce } from '../shared/debounce';
import type { HostClient } from '../shared/hostConnection';
import { FacetLabels, filterKey, isNarrowed, sameFilter, withoutNarrowing } from './filterFacets';
import { type IndexRange, emptyRange, pagesForRange, widenRange } from './gridLayout';
import { type GridItem, ItemPages, type ThumbUpdate } from './itemPages';
import { thumbWish } from './thumbWish';

/** Items per `gallery/images/list` request. */
export const pageSize = 120;
/** Pages kept in memory: enough for a big screen plus the pages either side of it. */
const maxCachedPages = 6;
/** Thumbnails are wished for once scrolling pauses, not for every row that flies past. */
const thumbWishDelayMs = 60;

/** What the grid should do with its scroll position at its next layout. */
export type ScrollRequest =
  | { readonly kind: 'offset'; readonly top: number }
  /** Show the row of `index`, moving as little as possible (keyboard). */
  | { readonly kind: 'reveal'; readonly index: number }
  /** Bring the row of `index` near the top (a jump from elsewhere). */
  | { readonly kind: 'center'; readonly index: number };

export interface DetailState {
  readonly path: string;
  /** Its position under the current filter: null while unknown, -1 when it does not match (no previous/next). */
  index: number | null;
  data: GalleryDetail | null;
  error: string | null;
}

export interface CompareState {
  readonly paths: readonly [string, string];
  a: GalleryDetail | null;
  b: GalleryDetail | null;
  error: string | null;
}

export interface StatusLine {
  readonly text: string;
  readonly error: boolean;
}

/** The grid's viewport, in item indices: what is on screen, and what is rendered around it. */
export interface Viewport {
  readonly visible: IndexRange;
  readonly near: IndexRange;
}

export interface GalleryModelPorts {
  readonly host: HostClient;
  /** Keeps the UI state; the caller decides how often it reaches VS Code and the host. */
  saveState(state: GalleryUiState): void;
  warn(message: string): void;
}

/**
 * The gallery's state and its conversation with the host, without DOM: which filter, which items are cached,
 * what is selected, marked, open in the detail or compare view. Views read it and call its methods; every
 * change is announced through `subscribe`.
 */
export class GalleryModel {
  filter: GalleryFilter;
  summary: GallerySummary;
  /** Labels of facet values from every summary so far. */
  readonly facetLabels = new FacetLabels();
  readonly pages: ItemPages;
  /** False from a filter change until the first page of the new filter arrives. */
  countKnown = true;
  selectedIndex: number | null = null;
  selectedPath: string | null = null;
  /** Up to two images marked for comparison (Ctrl/Cmd+click or Space), oldest first. */
  marked: string[] = [];
  /** The image A while the user picks the image to compare it with. */
  picking: { readonly path: string; readonly name: string } | null = null;
  detail: DetailState | null = null;
  compare: CompareState | null = null;
  status: StatusLine | null = null;
  scrollTop = 0;

  private summaryGeneration: number;
  private viewport: Viewport = { visible: emptyRange, near: emptyRange };
  private scrollRequest: ScrollRequest | null = null;
  private restoreScrollTop: number | null = null;
  private lastWish: string | null = null;
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly listeners = new Set<() => void>();
  private readonly wishThumbs = debounce(() => this.sendThumbWish(), thumbWishDelayMs);
  private readonly initialState: GalleryUiState;

  constructor(
    bootstrap: GalleryBootstrap,
    state: GalleryUiState,
    private readonly ports: GalleryModelPorts,
  ) {
    this.initialState = state;
    this.filter = state.filter;
    this.summary = bootstrap.summary;
    this.facetLabels.remember(bootstrap.summary);
    this.summaryGeneration = bootstrap.generation;
    this.scrollTop = state.scrollTop;
    this.pages = new ItemPages(pageSize, maxCachedPages, filterKey(bootstrap.state.filter), bootstrap.generation, bootstrap.summary.matching);
    this.pages.reset(filterKey(bootstrap.state.filter), bootstrap.generation, bootstrap.summary.matching, bootstrap.items);
  }

  /**
   * Brings the saved state back: re-queries when it was saved under another filter than the bootstrap's (or
   * with `requery`, when the bootstrap was unusable), scrolls back once the rows exist, reopens the views.
   */
  start(options: { readonly requery?: boolean } = {}): void {
    const state = this.initialState;
    this.restoreScrollTop = state.scrollTop;
    if (options.requery === true || filterKey(state.filter) !== this.pages.filterKey) {
      this.pages.reset(filterKey(state.filter), this.pages.generation, 0);
      this.countKnown = false;
      this.refreshSummary();
      void this.loadPage(0);
    } else {
      this.takeRestoredScroll();
    }
    if (state.selected !== null) {
      this.selectedPath = state.selected;
      this.resolveSelection();
    }
    if (state.compare) this.openCompare(state.compare);
    else if (state.detail !== null) this.openDetail(state.detail, null);
    this.changed();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many images the grid has rows for. */
  get count(): number {
    return this.pages.count;
  }

  itemAt(index: number): GridItem | undefined {
    return this.pages.itemAt(index);
  }

  /** The scroll the grid should apply at its next layout, once; held back until the rows of the filter exist. */
  takeScrollRequest(): ScrollRequest | null {
    if (!this.countKnown) return null;
    const request = this.scrollRequest;
    this.scrollRequest = null;
    return request;
  }

  uiState(): GalleryUiState {
    return {
      filter: this.filter,
      scrollTop: this.scrollTop,
      selected: this.selectedPath,
      detail: this.detail?.path ?? null,
      compare: this.compare ? [this.compare.paths[0], this.compare.paths[1]] : null,
    };
  }

  // ── the grid's viewport and data ───────────────────────────────────────────

  /** The grid laid itself out or scrolled: fetch the pages near it, forget far ones, wish for thumbnails. */
  setViewport(viewport: Viewport): void {
    this.viewport = viewport;
    this.ensurePages();
    this.wishThumbs.schedule();
  }

  setScrollTop(scrollTop: number): void {
    if (scrollTop === this.scrollTop) return;
    this.scrollTop = scrollTop;
    this.save();
  }

  setFilter(filter: GalleryFilter): void {
    if (sameFilter(filter, this.filter)) return;
    this.filter = filter;
    this.pages.reset(filterKey(filter), this.pages.generation, 0);
    this.countKnown = false;
    this.selectedIndex = null;
    this.selectedPath = null;
    this.restoreScrollTop = null;
    this.scrollTop = 0;
    this.scrollRequest = { kind: 'offset', top: 0 };
    this.refreshSummary();
    void this.loadPage(0);
    this.changed();
  }

  clearFilters(): void {
    this.setFilter(withoutNarrowing(this.filter));
  }

  /** `gallery/images/changed`: what is cached may have shifted; re-query what is shown, keep selection and scroll. */
  imagesChanged(generation: number): void {
    if (!this.pages.invalidate(generation, this.wantedPages())) return;
    // The host may have started over (new images need thumbnails too): the next wish goes out even if unchanged.
    this.lastWish = null;
    this.refreshSummary();
    this.ensurePages();
    this.resolveSelection();
    if (this.detail) this.reloadDetail(this.detail.path);
    this.changed();
  }

  /** `gallery/thumbs/ready`. */
  thumbsReady(thumbs: readonly ThumbUpdate[]): void {
    if (this.pages.setThumbs(thumbs)) this.notify();
  }

  /** `gallery/image/reveal`: find the image (clearing the filters once if they hide it), select it, maybe open it. */
  async reveal(path: string, open: boolean): Promise<void> {
    let index = await this.position(path);
    if (index === -1 && isNarrowed(this.filter)) {
      this.setFilter(withoutNarrowing(this.filter));
      index = await this.position(path);
    }
    if (index === null) return;
    if (index < 0) {
      this.ports.warn(`cannot reveal ${path}: it is not in the gallery`);
      return;
    }
    this.selectedIndex = index;
    this.selectedPath = path;
    this.scrollRequest = { kind: 'center', index };
    if (open) {
      this.compare = null;
      this.picking = null;
      this.openDetail(path, index);
    }
    this.changed();
  }

  // ── selection and marks ────────────────────────────────────────────────────

  select(index: number): void {
    if (index < 0 || index >= this.count) return;
    this.selectedIndex = index;
    this.selectedPath = this.itemAt(index)?.path ?? null;
    this.scrollRequest = { kind: 'reveal', index };
    this.changed();
  }

  /** Marks or unmarks an image for comparison; a third mark drops the oldest. */
  toggleMark(index: number): void {
    const path = this.itemAt(index)?.path;
    if (path === undefined) return;
    if (this.marked.includes(path)) this.marked = this.marked.filter((marked) => marked !== path);
    else this.marked = [...this.marked, path].slice(-2);
    this.notify();
  }

  clearMarks(): void {
    if (this.marked.length === 0) return;
    this.marked = [];
    this.notify();
  }

  compareMarked(): void {
    const [a, b] = this.marked;
    if (a === undefined || b === undefined) return;
    this.marked = [];
    this.openCompare([a, b]);
  }

  // ── detail view ────────────────────────────────────────────────────────────

  openDetail(path: string, index: number | null): void {
    this.detail = { path, index, data: this.detail?.path === path ? this.detail.data : null, error: null };
    this.status = null;
    this.reloadDetail(path);
    if (index === null) {
      void this.position(path).then((found) => {
        if (this.detail?.path === path && found !== null) {
          this.detail.index = found;
          this.notify();
        }
      });
    }
    this.changed();
  }

  closeDetail(): void {
    if (!this.detail) return;
    this.detail = null;
    this.status = null;
    this.changed();
  }

  /** Previous (-1) or next (+1) image in the grid's order; the grid's selection follows. */
  async showAdjacent(delta: -1 | 1): Promise<void> {
    const from = this.detail;
    if (!from || from.index === null || from.index < 0) return;
    const index = from.index + delta;
    if (index < 0 || index >= this.count) return;
    const item = await this.itemAtAsync(index);
    if (!item || this.detail !== from) return;
    this.select(index);
    this.openDetail(item.path, index);
  }

  /** Clicking the current rating clears it. */
  async rate(stars: number): Promise<void> {
    const detail = this.detail;
    if (!detail?.data) return;
    const path = detail.path;
    const rating = detail.data.item.rating === stars ? 0 : stars;
    try {
      const reply = await this.ports.host.request(galleryProtocol.rate, { path, rating });
      this.pages.update(path, { rating: reply.rating });
      if (this.detail?.path === path && this.detail.data) this.detail.data = { ...this.detail.data, item: { ...this.detail.data.item, rating: reply.rating } };
      this.status = { text: reply.rating === 0 ? 'Rating cleared.' : `Rated ${reply.rating} of 5.`, error: false };
    } catch (error) {
      this.status = { text: messageOf(error), error: true };
    }
    this.notify();
  }

  /** Runs an action on the image in the detail view, or on the selected one; the host confirms a delete. */
  async act(action: GalleryAction, path = this.detail?.path ?? this.selectedPath): Promise<void> {
    if (path === null || path === undefined) return;
    try {
      const reply = await this.ports.host.request(galleryProtocol.act, { path, action });
      this.status = reply.message === null ? null : { text: reply.message, error: false };
    } catch (error) {
      this.status = { text: messageOf(error), error: true };
    }
    // Approving changes the actions offered; deleting may remove the image (the reload then closes the view).
    if (this.detail?.path === path) this.reloadDetail(path);
    this.notify();
  }

  // ── comparing ──────────────────────────────────────────────────────────────

  /** "Compare with…": the open image becomes A and the grid asks for B. */
  startPicking(): void {
    const detail = this.detail;
    if (!detail) return;
    this.picking = { path: detail.path, name: detail.data?.item.name ?? detail.path.split('/').pop() ?? detail.path };
    this.detail = null;
    this.status = null;
    this.changed();
  }

  cancelPicking(): void {
    if (!this.picking) return;
    this.picking = null;
    this.notify();
  }

  /** The image B of a comparison started with "Compare with…". */
  pick(index: number): void {
    const picking = this.picking;
    const path = this.itemAt(index)?.path;
    if (!picking || path === undefined || path === picking.path) return;
    this.picking = null;
    this.openCompare([picking.path, path]);
  }

  openCompare(paths: readonly [string, string]): void {
    const compare: CompareState = { paths, a: null, b: null, error: null };
    this.compare = compare;
    this.detail = null;
    this.status = null;
    for (const path of paths) {
      this.ports.host.request(galleryProtocol.detail, { path }).then(
        (detail) => {
          // Matched by path, not by side: the user may have swapped the sides meanwhile.
          const current = this.compare;
          if (!current || !current.paths.includes(path)) return;
          if (current.paths[0] === path) current.a = detail;
          if (current.paths[1] === path) current.b = detail;
          this.notify();
        },
        (error: unknown) => {
          if (!this.compare?.paths.includes(path)) return;
          this.compare.error = messageOf(error);
          this.notify();
        },
      );
    }
    this.changed();
  }

  swapCompare(): void {
    const compare = this.compare;
    if (!compare) return;
    this.compare = { paths: [compare.paths[1], compare.paths[0]], a: compare.b, b: compare.a, error: compare.error };
    this.changed();
  }

  closeCompare(): void {
    if (!this.compare) return;
    this.compare = null;
    this.changed();
  }

  // ── internals ──────────────────────────────────────────────────────────────

  /** Announces a change and keeps the UI state. */
  private changed(): void {
    this.save();
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private save(): void {
    this.ports.saveState(this.uiState());
  }

  /** The pages the viewport needs, with a quarter page of look-ahead either way. */
  private wantedPages(): number[] {
    return pagesForRange(widenRange(this.viewport.near, pageSize / 4, this.count), pageSize);
  }

  private ensurePages(): void {
    const wanted = this.wantedPages();
    this.pages.evict(wanted);
    for (const page of this.pages.missing(wanted)) void this.loadPage(page);
  }

  private loadPage(page: number): Promise<void> {
    const key = `${this.pages.filterKey}#${this.pages.generation}#${page}`;
    const existing = this.inflight.get(key);
    if (existing) return existing;
    const requestedKey = this.pages.filterKey;
    const promise = this.ports.host
      .request(galleryProtocol.list, { filter: this.filter, offset: page * pageSize, limit: pageSize })
      .then(
        (reply) => {
          const before = this.pages.generation;
          if (!this.pages.accept(requestedKey, reply.generation, page, reply.items, reply.matching, this.wantedPages())) return;
          this.countKnown = true;
          // A newer generation than we knew: the summary is outdated too, and so may be the selection's index.
          if (reply.generation > before) this.refreshSummary();
          this.placeSelection(reply.generation > before);
          this.takeRestoredScroll();
          this.ensurePages();
          this.wishThumbs.schedule();
          this.notify();
        },
        (error: unknown) => this.ports.warn(`gallery/images/list failed: ${messageOf(error)}`),
      )
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  private async itemAtAsync(index: number): Promise<GridItem | undefined> {
    const cached = this.itemAt(index);
    if (cached) return cached;
    await this.loadPage(Math.floor(index / pageSize));
    return this.itemAt(index);
  }

  private refreshSummary(): void {
    const requestedKey = this.pages.filterKey;
    this.ports.host.request(galleryProtocol.summary, { filter: this.filter }).then(
      (reply) => {
        if (requestedKey !== this.pages.filterKey || reply.generation < this.pages.generation || reply.generation < this.summaryGeneration) return;
        this.summary = reply.summary;
        this.facetLabels.remember(reply.summary);
        this.summaryGeneration = reply.generation;
        // The summary saw a change the pages have not heard of yet.
        if (reply.generation > this.pages.generation && this.pages.invalidate(reply.generation, this.wantedPages())) this.ensurePages();
        this.notify();
      },
      (error: unknown) => this.ports.warn(`gallery/summary/get failed: ${messageOf(error)}`),
    );
  }

  /** Where `path` is under the current filter; null when the filter changed meanwhile or the host failed. */
  private async position(path: string): Promise<number | null> {
    const requestedKey = this.pages.filterKey;
    try {
      const reply = await this.ports.host.request(galleryProtocol.position, { filter: this.filter, path });
      return requestedKey === this.pages.filterKey ? reply.index : null;
    } catch (error) {
      this.ports.warn(`gallery/images/position failed: ${messageOf(error)}`);
      return null;
    }
  }

  /** A page arrived: it may hold the selected image (now at another index) or name the selected index. */
  private placeSelection(newGeneration: boolean): void {
    if (this.selectedPath === null) {
      if (this.selectedIndex !== null) this.selectedPath = this.itemAt(this.selectedIndex)?.path ?? null;
      return;
    }
    const index = this.pages.indexOf(this.selectedPath);
    if (index >= 0) this.selectedIndex = index;
    else if (newGeneration) this.resolveSelection();
  }

  /** The selected image may have moved (new images before it) or gone: find its index again by path. */
  private resolveSelection(): void {
    const path = this.selectedPath;
    if (path === null) return;
    const cached = this.pages.indexOf(path);
    if (cached >= 0) {
      this.selectedIndex = cached;
      return;
    }
    void this.position(path).then((index) => {
      if (index === null || this.selectedPath !== path) return;
      if (index < 0) {
        // Gone (deleted, or no longer matching): the selection stays where it was, on the image that took its place.
        this.selectedIndex = this.selectedIndex === null || this.count === 0 ? null : Math.min(this.selectedIndex, this.count - 1);
        this.selectedPath = this.selectedIndex === null ? null : (this.itemAt(this.selectedIndex)?.path ?? null);
      } else {
        this.selectedIndex = index;
      }
      this.changed();
    });
  }

  private reloadDetail(path: string): void {
    this.ports.host.request(galleryProtocol.detail, { path }).then(
      (data) => {
        if (this.detail?.path !== path) return;
        this.detail.data = data;
        this.detail.error = null;
        this.notify();
      },
      (error: unknown) => {
        if (this.detail?.path !== path) return;
        // Shown before: the image went away (deleted); with nothing shown yet the error explains the empty view.
        if (this.detail.data) {
          this.detail = null;
          this.changed();
        } else {
          this.detail.error = messageOf(error);
          this.notify();
        }
      },
    );
  }

  private takeRestoredScroll(): void {
    if (this.restoreScrollTop === null || !this.countKnown) return;
    this.scrollRequest = { kind: 'offset', top: this.restoreScrollTop };
    this.restoreScrollTop = null;
  }

  private sendThumbWish(): void {
    const paths = thumbWish((index) => this.itemAt(index), this.viewport.visible, this.viewport.near);
    const wish = paths.join('\n');
    if (wish === this.lastWish) return;
    this.lastWish = wish;
    this.ports.host.command(galleryProtocol.wantThumbs, { paths });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
