import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { type ThumbnailEncoder, writeThumbnail } from '../images/writeThumbnail';
import type { DisposableLike } from '../util/disposable';
import { Emitter, type EventLike } from '../util/emitter';
import { isErrnoException } from '../util/files';
import type { Logger } from '../util/logger';

/** An image that may get a thumbnail; its size and time are those of its file now. */
export type ThumbnailSource = {
  /** The image's id: its studio-relative path. */
  readonly path: string;
  /** The image file, absolute. */
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
};

/** A thumbnail made (its file, absolute) or one that could not be made. */
export type ThumbnailResult = { readonly path: string; readonly file: string } | { readonly path: string; readonly error: string };

export type ThumbnailCacheOptions = {
  /** Where thumbnails are kept, absolute: the studio's `.studio/thumbs`. Created on first write. */
  readonly folder: string;
  /** The longer side of a thumbnail in pixels; smaller images keep their size. Default 256. */
  readonly size?: number;
  /** Most thumbnails made at once. Default: the number of cores. */
  readonly concurrency?: number;
  readonly logger: Logger;
  /** The image pipeline; tests wrap `writeThumbnail` with it to watch the scheduling. */
  readonly encode?: ThumbnailEncoder;
};

const thumbnailName = /^[0-9a-f]{40}\.webp$/;
const tempSuffix = '.tmp';
/** A temporary file this old was left by a process that stopped while writing it. */
const abandonedTempMs = 10 * 60_000;

/**
 * The gallery's thumbnails, made with sharp and kept as files so the webview can load them by URI.
 * A thumbnail's name hashes its image's path, size and time, so a changed image gets a new one.
 *
 * The gallery says which thumbnails it wants with `want()`, most wanted first, each time it
 * scrolls; what it no longer wants is never made. Results arrive through `onDidMake`.
 */
export class ThumbnailCache implements DisposableLike {
  /** Where the thumbnails are: the webview is allowed to read it. */
  readonly folder: string;
  private readonly side: number;
  private readonly concurrency: number;
  private readonly logger: Logger;
  private readonly encode: ThumbnailEncoder;
  private readonly didMake = new Emitter<ThumbnailResult>();
  readonly onDidMake: EventLike<ThumbnailResult> = this.didMake.event;

  /** Thumbnail file names in the folder, so cachedFile() needs no stat per image. */
  private readonly names = new Set<string>();
  /** Why each thumbnail that failed did; kept so scrolling back does not retry a broken image. */
  private readonly failures = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Temporary files being written now, which prune() must leave alone. */
  private readonly writing = new Set<string>();
  /** What want() asked for and is not started yet, most wanted last (so pop() takes it). */
  private wished: ThumbnailSource[] = [];
  private active = 0;
  /** make() calls waiting for a free slot; they go before wished thumbnails. */
  private readonly slotWaiters: Array<() => void> = [];
  private opening: Promise<void> | undefined;
  private disposed = false;

  /** A cache whose folder has been read, ready to answer cachedFile(). */
  static async create(options: ThumbnailCacheOptions): Promise<ThumbnailCache> {
    const cache = new ThumbnailCache(options);
    await cache.open();
    return cache;
  }

  constructor(options: ThumbnailCacheOptions) {
    this.folder = options.folder;
    this.side = Math.max(1, Math.round(options.size ?? 256));
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? availableParallelism()));
    this.logger = options.logger;
    this.encode = options.encode ?? writeThumbnail;
  }

  /** Reads the folder's file names once; cachedFile() knows no thumbnail before it has. */
  open(): Promise<void> {
    this.opening ??= this.readNames();
    return this.opening;
  }

  /** The thumbnail of `source` if it is already made, without touching the disk. */
  cachedFile(source: ThumbnailSource): string | undefined {
    const name = this.nameOf(source);
    return this.names.has(name) ? path.join(this.folder, name) : undefined;
  }

  /**
   * Replaces the list of thumbnails to make, most wanted first. Thumbnails being made carry on;
   * those already made or failed are skipped; those wanted before but not now are dropped.
   */
  want(sources: readonly ThumbnailSource[]): void {
    if (this.disposed) return;
    const seen = new Set<string>();
    this.wished = sources
      .filter((source) => {
        const name = this.nameOf(source);
        if (seen.has(name) || this.isSettled(name) || this.inFlight.has(name)) return false;
        seen.add(name);
        return true;
      })
      .reverse();
    this.startWished();
  }

  /** Makes one thumbnail (or returns the one made) and resolves to its file. */
  make(source: ThumbnailSource): Promise<string> {
    const name = this.nameOf(source);
    const cached = this.cachedFile(source);
    if (cached !== undefined) return Promise.resolve(cached);
    const failure = this.failures.get(name);
    if (failure !== undefined) return Promise.reject(new Error(failure));
    return this.inFlight.get(name) ?? this.start(source, name, false);
  }

  /**
   * Removes the thumbnails of images not in `keep` (deleted, or changed since their thumbnail was
   * made) and temporary files left by an interrupted write. Returns how many files it removed.
   */
  async prune(keep: Iterable<ThumbnailSource>): Promise<number> {
    await this.open();
    const kept = new Set<string>();
    for (const source of keep) kept.add(this.nameOf(source));
    for (const name of this.failures.keys()) if (!kept.has(name)) this.failures.delete(name);
    let removed = 0;
    for (const name of await this.listFolder()) {
      const file = path.join(this.folder, name);
      if (!(await this.isStale(name, kept))) continue;
      await rm(file, { force: true });
      this.names.delete(name);
      removed++;
    }
    return removed;
  }

  /** Stops making wished thumbnails and announcing results; those being written finish quietly. */
  dispose(): void {
    this.disposed = true;
    this.wished = [];
    this.didMake.dispose();
  }

  private nameOf(source: ThumbnailSource): string {
    // The thumbnail's side is part of the name, so a different size setting never serves old ones.
    const key = `${source.file}\0${source.size}\0${source.mtimeMs}\0${this.side}`;
    return `${createHash('sha1').update(key).digest('hex')}.webp`;
  }

  /** Other files in the folder are not ours and stay. */
  private async isStale(name: string, kept: ReadonlySet<string>): Promise<boolean> {
    if (thumbnailName.test(name)) return !kept.has(name);
    const file = path.join(this.folder, name);
    return name.endsWith(tempSuffix) && !this.writing.has(file) && (await isOlderThan(file, abandonedTempMs));
  }

  private isSettled(name: string): boolean {
    return this.names.has(name) || this.failures.has(name);
  }

  private startWished(): void {
    while (!this.disposed && this.active < this.concurrency && this.slotWaiters.length === 0) {
      const source = this.wished.pop();
      if (source === undefined) return;
      const name = this.nameOf(source);
      if (this.isSettled(name) || this.inFlight.has(name)) continue;
      this.active++;
      void this.start(source, name, true);
    }
  }

  /** Runs one thumbnail in a slot and announces its result, whoever asked for it. */
  private start(source: ThumbnailSource, name: string, holdsSlot: boolean): Promise<string> {
    const job = (async (): Promise<string> => {
      if (!holdsSlot) await this.acquireSlot();
      try {
        return await this.produce(source, name);
      } finally {
        this.releaseSlot();
      }
    })();
    this.inFlight.set(name, job);
    void job.then(
      (file) => this.settle(name, { path: source.path, file }),
      (error: unknown) => this.settle(name, { path: source.path, error: messageOf(error) }),
    );
    return job;
  }

  private async produce(source: ThumbnailSource, name: string): Promise<string> {
    await this.open();
    const file = path.join(this.folder, name);
    if (this.names.has(name)) return file;
    // Written beside its final name and renamed into place, so the webview never loads half a file.
    // Not flushed to disk first: a thumbnail lost in a crash is simply made again.
    const temp = path.join(this.folder, `${name}.${randomBytes(4).toString('hex')}${tempSuffix}`);
    this.writing.add(temp);
    try {
      await mkdir(this.folder, { recursive: true });
      await this.encode(source.file, temp, this.side);
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      this.failures.set(name, messageOf(error));
      this.logger.warn(`No thumbnail for ${source.path}: ${messageOf(error)}`);
      throw error;
    } finally {
      this.writing.delete(temp);
    }
    this.names.add(name);
    return file;
  }

  private settle(name: string, result: ThumbnailResult): void {
    this.inFlight.delete(name);
    if (this.disposed) return;
    try {
      this.didMake.fire(result);
    } catch (error) {
      this.logger.error(`A thumbnail listener failed: ${messageOf(error)}`);
    }
  }

  private acquireSlot(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private releaseSlot(): void {
    const waiter = this.slotWaiters.shift();
    // The slot passes straight to the waiting make(), so the count of busy slots stays the same.
    if (waiter !== undefined) {
      waiter();
      return;
    }
    this.active--;
    this.startWished();
  }

  private async readNames(): Promise<void> {
    for (const name of await this.listFolder()) if (thumbnailName.test(name)) this.names.add(name);
  }

  private async listFolder(): Promise<string[]> {
    try {
      return await readdir(this.folder);
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') return [];
      throw error;
    }
  }
}

async function isOlderThan(file: string, ageMs: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > ageMs;
  } catch {
    return false;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
