import type { GalleryItem } from '../../src/shared/protocol/gallery';

const maxRememberedThumbErrors = 2000;

/** A cached cell: the host's item, plus why its thumbnail could not be made, if it could not. */
export type GridItem = GalleryItem & { thumbError: string | null };

interface Page {
  readonly items: GridItem[];
  /** From an older generation: shown until a fresh copy arrives, but fetched again. */
  stale: boolean;
}

export interface ThumbUpdate {
  readonly path: string;
  readonly uri: string | null;
  readonly error?: string | undefined;
}

/**
 * The items of one filter in pages of `pageSize`, as the host lists them. Only pages near the viewport are
 * kept (`evict`), so memory stays flat however far the grid scrolls. Replies are accepted only for the current
 * filter and for the current or a newer generation; a newer one makes every other page stale.
 */
export class ItemPages {
  private readonly pages = new Map<number, Page>();
  /** Thumbnails the host could not make, remembered across re-fetches so they are not wished for again. */
  private readonly thumbErrors = new Map<string, string>();
  private currentFilterKey: string;
  private currentGeneration: number;
  private currentCount: number;

  constructor(
    readonly pageSize: number,
    /** Pages kept beyond those in use; the cache never holds more than this unless more are in use. */
    private readonly maxPages: number,
    filterKey: string,
    generation: number,
    count: number,
  ) {
    this.currentFilterKey = filterKey;
    this.currentGeneration = generation;
    this.currentCount = count;
  }

  get filterKey(): string {
    return this.currentFilterKey;
  }

  get generation(): number {
    return this.currentGeneration;
  }

  /** How many images match the filter, as the host last said. */
  get count(): number {
    return this.currentCount;
  }

  /** Pages held, for tests and diagnostics. */
  get cachedPages(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b);
  }

  /** A new filter: nothing cached belongs to it. `firstItems` (offset 0) may be shorter than a page. */
  reset(filterKey: string, generation: number, count: number, firstItems?: readonly GalleryItem[]): void {
    this.pages.clear();
    this.currentFilterKey = filterKey;
    this.currentGeneration = generation;
    this.currentCount = count;
    if (firstItems && firstItems.length > 0) this.pages.set(0, { items: firstItems.slice(0, this.pageSize).map((item) => this.toGridItem(item)), stale: false });
  }

  /**
   * The set of images changed (`generation` is newer): cached pages may have shifted, so they all go stale,
   * and those not in `keep` (the pages on screen) go at once. False when `generation` is not newer.
   */
  invalidate(generation: number, keep: readonly number[]): boolean {
    if (generation <= this.currentGeneration) return false;
    this.currentGeneration = generation;
    const kept = new Set(keep);
    for (const [index, page] of this.pages) {
      if (kept.has(index)) page.stale = true;
      else this.pages.delete(index);
    }
    return true;
  }

  /** Stores a `gallery/images/list` reply for `page`; false (and nothing changes) when it is outdated. */
  accept(filterKey: string, generation: number, page: number, items: readonly GalleryItem[], count: number, keep: readonly number[] = []): boolean {
    if (filterKey !== this.currentFilterKey || generation < this.currentGeneration) return false;
    if (generation > this.currentGeneration) this.invalidate(generation, keep);
    this.currentCount = count;
    this.pages.set(page, { items: items.map((item) => this.toGridItem(item)), stale: false });
    return true;
  }

  itemAt(index: number): GridItem | undefined {
    if (index < 0 || index >= this.currentCount) return undefined;
    return this.pages.get(Math.floor(index / this.pageSize))?.items[index % this.pageSize];
  }

  /** The pages of `wanted` that must be fetched: not cached, stale, or shorter than the page should be. */
  missing(wanted: readonly number[]): number[] {
    return wanted.filter((index) => {
      const page = this.pages.get(index);
      if (!page || page.stale) return true;
      const expected = Math.max(0, Math.min(this.pageSize, this.currentCount - index * this.pageSize));
      return page.items.length < expected;
    });
  }

  /** Drops pages until at most `maxPages` are left, farthest from those in `keep` first; `keep` always stays. */
  evict(keep: readonly number[]): void {
    if (this.pages.size <= this.maxPages) return;
    const kept = new Set(keep);
    const distance = (index: number): number => (keep.length === 0 ? index : Math.min(...keep.map((k) => Math.abs(k - index))));
    const candidates = [...this.pages.keys()].filter((index) => !kept.has(index)).sort((a, b) => distance(b) - distance(a));
    for (const index of candidates) {
      if (this.pages.size <= this.maxPages) break;
      this.pages.delete(index);
    }
  }

  /** Applies `gallery/thumbs/ready`; true when a cached item changed. Items no longer cached get theirs on the next fetch. */
  setThumbs(updates: readonly ThumbUpdate[]): boolean {
    for (const update of updates) {
      if (update.uri === null) this.rememberThumbError(update.path, update.error ?? 'no thumbnail');
      else this.thumbErrors.delete(update.path);
    }
    const byPath = new Map(updates.map((update) => [update.path, update]));
    let changed = false;
    for (const page of this.pages.values()) {
      for (const item of page.items) {
        const update = byPath.get(item.path);
        if (!update) continue;
        item.thumb = update.uri;
        item.thumbError = update.uri === null ? (update.error ?? 'no thumbnail') : null;
        changed = true;
      }
    }
    return changed;
  }

  /** Updates a cached item in place (a rating given in the detail view) until the next fetch brings it. */
  update(path: string, change: Partial<Pick<GalleryItem, 'rating' | 'approved'>>): void {
    for (const page of this.pages.values()) {
      for (const item of page.items) if (item.path === path) Object.assign(item, change);
    }
  }

  private toGridItem(item: GalleryItem): GridItem {
    if (item.thumb !== null) this.thumbErrors.delete(item.path);
    return { ...item, thumbError: item.thumb === null ? (this.thumbErrors.get(item.path) ?? null) : null };
  }

  private rememberThumbError(path: string, error: string): void {
    // Bounded like the pages: a studio full of unreadable files must not grow this without end.
    if (this.thumbErrors.size >= maxRememberedThumbErrors) this.thumbErrors.delete(this.thumbErrors.keys().next().value as string);
    this.thumbErrors.set(path, error);
  }

  /** The index of an item in a fresh cached page, or -1; a stale page may place it where it no longer is. */
  indexOf(path: string): number {
    for (const [index, page] of this.pages) {
      if (page.stale) continue;
      const offset = page.items.findIndex((item) => item.path === path);
      if (offset >= 0) return index * this.pageSize + offset;
    }
    return -1;
  }
}

