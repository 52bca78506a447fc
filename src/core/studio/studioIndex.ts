import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EngineLists } from '../comfy/engineLists';
import { IndexDatabase, type IndexRecovery } from '../db/indexDatabase';
import { AssetRepository } from '../db/repositories/assetRepository';
import { ChapterRepository } from '../db/repositories/chapterRepository';
import { CharacterRepository } from '../db/repositories/characterRepository';
import { DatasetRepository } from '../db/repositories/datasetRepository';
import { type CachedDocument, DocumentRepository } from '../db/repositories/documentRepository';
import { JobRepository } from '../db/repositories/jobRepository';
import { LoraRepository } from '../db/repositories/loraRepository';
import { PageRepository } from '../db/repositories/pageRepository';
import { MetaRepository } from '../db/repositories/metaRepository';
import { ProblemRepository } from '../db/repositories/problemRepository';
import { GalleryRepository } from '../db/repositories/galleryRepository';
import { type CachedImageFacts, ImageMetaRepository } from '../db/repositories/imageMetaRepository';
import { readImageFacts } from '../gallery/imageFacts';
import type { Table } from '../db/table';
import type { StudioConfig, StudioCounts } from '../model/studio';
import type { DisposableLike } from '../util/disposable';
import { Emitter, type EventLike } from '../util/emitter';
import { AlreadyExistsError } from '../util/errors';
import { createFileExclusive, isErrnoException } from '../util/files';
import type { Logger } from '../util/logger';
import { deriveStudioModel, unrecordedImages } from './derive';
import { type DocumentResult, isDocumentRole, parseDocument } from './documents';
import { indexFile, indexFolder, studioFile } from './layout';
import { scanGalleryRoots, scanStudio, type StudioFile } from './scanner';
import { mapLimited } from '../util/mapLimited';

export interface StudioIndexOptions {
  readonly root: string;
  readonly wasmPath: string;
  readonly logger: Logger;
  /** False keeps the index in memory only and writes nothing under the studio. */
  readonly persist?: boolean;
  readonly saveDelayMs?: number;
}

export interface RefreshResult {
  /** False when no tracked file changed since the last refresh and nothing was rewritten. */
  readonly changed: boolean;
  /** How many documents had to be read and parsed (the others came from the cache). */
  readonly reparsed: number;
  readonly counts: StudioCounts;
  readonly durationMs: number;
}

/**
 * The studio's index, kept in step with its files. The files are the truth: every refresh
 * lists them, re-reads only those whose size or time changed, and replaces the derived tables
 * in one transaction. A missing, stale, corrupt or unreadable index file is simply rebuilt.
 */
export class StudioIndex implements DisposableLike {
  readonly characters: CharacterRepository;
  readonly datasets: DatasetRepository;
  readonly loras: LoraRepository;
  readonly chapters: ChapterRepository;
  readonly pages: PageRepository;
  readonly assets: AssetRepository;
  readonly problems: ProblemRepository;
  readonly jobs: JobRepository;
  readonly gallery: GalleryRepository;
  private readonly documents: DocumentRepository;
  private readonly imageMeta: ImageMetaRepository;

  private readonly refreshed = new Emitter<RefreshResult>();
  readonly onDidRefresh: EventLike<RefreshResult> = this.refreshed.event;

  private readonly meta: MetaRepository;
  private documentCache: Map<string, CachedDocument>;
  private factsCache: Map<string, CachedImageFacts>;
  /** The fingerprint of the files the index holds; equal fingerprints mean nothing to do. */
  private digest: string | undefined;
  private config: StudioConfig | undefined;
  private running: Promise<RefreshResult> | undefined;
  private queued: Promise<RefreshResult> | undefined;
  private forceNext = false;

  private constructor(
    private readonly db: IndexDatabase,
    private readonly options: StudioIndexOptions,
  ) {
    this.characters = new CharacterRepository(db);
    this.datasets = new DatasetRepository(db);
    this.loras = new LoraRepository(db);
    this.chapters = new ChapterRepository(db);
    this.pages = new PageRepository(db);
    this.assets = new AssetRepository(db);
    this.problems = new ProblemRepository(db);
    this.jobs = new JobRepository(db);
    this.documents = new DocumentRepository(db);
    this.imageMeta = new ImageMetaRepository(db);
    this.gallery = new GalleryRepository(db, this.assets);
    this.meta = new MetaRepository(db);
    this.documentCache = this.documents.all();
    this.factsCache = this.imageMeta.all();
    this.digest = this.meta.get(digestKey);
    this.config = studioConfigOf(this.documentCache);
  }

  /** Opens the index of the studio at `root` and brings it up to date with the files. */
  static async open(options: StudioIndexOptions): Promise<StudioIndex> {
    const persist = options.persist ?? true;
    if (persist) await ensureIndexFolder(options.root);
    const db = await IndexDatabase.open({
      file: persist ? path.join(options.root, indexFile) : undefined,
      wasmPath: options.wasmPath,
      logger: options.logger,
      ...(options.saveDelayMs === undefined ? {} : { saveDelayMs: options.saveDelayMs }),
    });
    const index = new StudioIndex(db, options);
    await index.refresh();
    return index;
  }

  /** Why the index file was not used as it was; anything but 'none' was logged and rebuilt. */
  get recovery(): IndexRecovery {
    return this.db.recovery;
  }

  get root(): string {
    return this.options.root;
  }

  /** studio.json as validated, with defaults filled in; undefined while it is missing or broken. */
  get studioConfig(): StudioConfig | undefined {
    return this.config;
  }

  /**
   * Brings the index up to date with the files. Calls made while one runs are folded into a
   * single follow-up run, so a burst of file events costs at most two refreshes.
   */
  refresh(): Promise<RefreshResult> {
    if (!this.running) {
      const force = this.forceNext;
      this.forceNext = false;
      this.running = this.refreshNow(force).finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(
      () => this.followUp(),
      () => this.followUp(),
    );
    return this.queued;
  }

  /** Forgets every cached parse and reads all files again. */
  rebuild(): Promise<RefreshResult> {
    this.forceNext = true;
    this.documentCache = new Map();
    return this.refresh();
  }

  /** ComfyUI's lists as it last gave them, so prompt files can be checked while it is down. */
  engineLists(): EngineLists | undefined {
    const text = this.meta.get(engineListsKey);
    if (!text) return undefined;
    try {
      return JSON.parse(text) as EngineLists;
    } catch {
      return undefined;
    }
  }

  rememberEngineLists(lists: EngineLists): void {
    this.meta.set(engineListsKey, JSON.stringify(lists));
  }

  counts(): StudioCounts {
    return {
      characters: this.characters.count(),
      datasets: this.datasets.count(),
      loras: this.loras.count(),
      chapters: this.chapters.count(),
      pages: this.pages.count(),
      assets: this.assets.count(),
      problems: this.problems.count(),
    };
  }

  async close(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.queued?.catch(() => undefined);
    this.refreshed.dispose();
    await this.db.close();
  }

  dispose(): void {
    void this.close();
  }

  private followUp(): Promise<RefreshResult> {
    this.queued = undefined;
    return this.refresh();
  }

  private async refreshNow(force: boolean): Promise<RefreshResult> {
    const started = performance.now();
    const studioFiles = await scanStudio(this.options.root);
    let files = await this.withGalleryRoots(studioFiles, this.config?.galleryRoots ?? []);
    const digest = filesDigest(files);
    if (!force && digest === this.digest) {
      return { changed: false, reparsed: 0, counts: this.counts(), durationMs: performance.now() - started };
    }

    const { documents, read } = await this.readDocuments(files);
    const roots = studioConfigOf(documents)?.galleryRoots ?? [];
    // studio.json itself changed which folders the gallery shows.
    if (JSON.stringify(roots) !== JSON.stringify(this.config?.galleryRoots ?? [])) files = await this.withGalleryRoots(studioFiles, roots);
    const facts = await this.readFacts(unrecordedImages(files, documents));
    const model = deriveStudioModel(files, documents, new Map([...facts.cache].map(([key, cached]) => [key, cached.facts])));
    this.db.transaction(() => {
      // Only tables whose content differs are rewritten: one edited character.md must not cost
      // rewriting ten thousand asset rows.
      this.documents.update(documents, read);
      this.imageMeta.sync(facts.cache, facts.read);
      this.replaceIfChanged(this.characters, model.characters, force);
      this.replaceIfChanged(this.datasets, model.datasets, force);
      this.replaceIfChanged(this.loras, model.loras, force);
      this.replaceIfChanged(this.chapters, model.chapters, force);
      this.replaceIfChanged(this.pages, model.pages, force);
      this.replaceIfChanged(this.assets, model.assets, force);
      this.replaceIfChanged(this.problems, model.problems, force);
      this.meta.set(digestKey, digest);
    });
    this.documentCache = documents;
    this.factsCache = facts.cache;
    this.digest = digest;
    this.config = model.config;
    const result = { changed: true, reparsed: read.length, counts: this.counts(), durationMs: performance.now() - started };
    this.options.logger.debug(`Index refreshed in ${result.durationMs.toFixed(0)} ms (${read.length} files parsed).`);
    this.refreshed.fire(result);
    return result;
  }

  /** Each table's content hash is kept in `meta`, so even the first refresh after a reopen skips unchanged tables. */
  private replaceIfChanged<T>(table: Table<T>, rows: readonly T[], force: boolean): void {
    const key = `table_digest:${table.name}`;
    const signature = createHash('sha1').update(JSON.stringify(rows)).digest('hex');
    if (!force && this.meta.get(key) === signature) return;
    table.replaceAll(rows);
    this.meta.set(key, signature);
  }

  private async withGalleryRoots(studioFiles: readonly StudioFile[], roots: readonly string[]): Promise<StudioFile[]> {
    if (roots.length === 0) return [...studioFiles];
    const rootFiles = await scanGalleryRoots(this.options.root, roots, new Set(studioFiles.map((file) => file.path)));
    return [...studioFiles, ...rootFiles].sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** The metadata of images the log does not know: from the cache while their size and time match, else read from the file. */
  private async readFacts(images: readonly StudioFile[]): Promise<{ cache: Map<string, CachedImageFacts>; read: CachedImageFacts[] }> {
    const read: CachedImageFacts[] = [];
    const entries = await mapLimited(images, async (image): Promise<[string, CachedImageFacts]> => {
      const cached = this.factsCache.get(image.path);
      if (cached && cached.size === image.size && cached.mtimeMs === image.mtimeMs) return [image.path, cached];
      const fresh = { path: image.path, size: image.size, mtimeMs: image.mtimeMs, facts: await readImageFacts(path.resolve(this.options.root, image.path)) };
      read.push(fresh);
      return [image.path, fresh];
    });
    return { cache: new Map(entries), read };
  }

  private async readDocuments(files: readonly StudioFile[]): Promise<{ documents: Map<string, CachedDocument>; read: CachedDocument[] }> {
    const documents = new Map<string, CachedDocument>();
    const read: CachedDocument[] = [];
    await Promise.all(
      files.map(async (file) => {
        if (!isDocumentRole(file.role)) return;
        const cached = this.documentCache.get(file.path);
        if (cached && cached.size === file.size && cached.mtimeMs === file.mtimeMs) {
          documents.set(file.path, cached);
          return;
        }
        let result: DocumentResult;
        try {
          const text = await readFile(path.join(this.options.root, file.path), 'utf8');
          result = parseDocument(file.path, file.role, text);
        } catch (error) {
          if (isErrnoException(error) && error.code === 'ENOENT') return; // deleted meanwhile
          throw error;
        }
        const document = { ...result, path: file.path, size: file.size, mtimeMs: file.mtimeMs };
        documents.set(file.path, document);
        read.push(document);
      }),
    );
    return { documents, read };
  }
}

const digestKey = 'files_digest';
const engineListsKey = 'comfy_lists';

/** One hash over every tracked file's path, size and time: it changes when any file does. */
function filesDigest(files: readonly StudioFile[]): string {
  const hash = createHash('sha1');
  for (const file of files) hash.update(`${file.path}\0${file.size}\0${file.mtimeMs}\n`);
  return hash.digest('hex');
}

function studioConfigOf(documents: ReadonlyMap<string, CachedDocument>): StudioConfig | undefined {
  const studio = documents.get(studioFile)?.document;
  return studio?.kind === 'studio' ? studio.config : undefined;
}

/** The index folder ignores itself, so a studio under git never commits it, whatever its .gitignore says. */
async function ensureIndexFolder(root: string): Promise<void> {
  try {
    await createFileExclusive(path.join(root, indexFolder, '.gitignore'), '*\n');
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
  }
}
