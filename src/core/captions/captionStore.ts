import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { isImageFile } from '../studio/layout';
import { mapLimited } from '../util/mapLimited';
import { errorMessage } from '../util/errors';
import { writeFileAtomic } from '../util/files';
import { encodeCaption, hashCaptionBytes, readStampedCaption, statStamp, type CaptionFileContent, type FileEnding, type FileStamp, type StampedCaption } from './captionFile';

/** One image of a dataset and its caption, as the disk held it when last loaded or saved. */
export interface CaptionRecord {
  /** The image's stem, `spyke_001`: what the caption file is named after. */
  readonly id: string;
  /** The image's file name, `spyke_001.png`. */
  readonly image: string;
  /** The caption file's absolute path, `<folder>/spyke_001.txt`, whether or not it exists. */
  readonly file: string;
  /** Without a byte order mark and without the line break that ends the file; empty when missing. */
  readonly text: string;
  /** The image has no caption file (yet). */
  readonly missing: boolean;
  /** The caption file is not UTF-8: `text` is empty and a save refuses to touch it. */
  readonly notUtf8: boolean;
}

/** The disk changed since we last read or wrote the file, and our text differs from it. */
export interface CaptionConflict {
  readonly id: string;
  readonly mine: string;
  /** What the disk holds now; undefined when the file was deleted or is no longer UTF-8. */
  readonly theirs: string | undefined;
}

export interface CaptionSaveReport {
  /** Written, or already on disk as asked. */
  readonly saved: readonly string[];
  /** Not written: the disk changed under us. */
  readonly conflicts: readonly CaptionConflict[];
  /** Not written: an unknown id, a file that is not UTF-8, or an error from the file system. */
  readonly failed: readonly { readonly id: string; readonly message: string }[];
}

export interface CaptionStoreOptions {
  /** The clock that tells whether a file's times are settled (tests move it on instead of waiting). */
  readonly now?: () => number;
}

/** What a look at the disk found, for one caption. */
export type CaptionDiskCheck =
  /** The file is not a caption of this dataset (or the id is unknown). */
  | { readonly kind: 'notACaption' }
  /** The disk holds what we last read or wrote: the echo of our own save, a `touch`. */
  | { readonly kind: 'unchanged'; readonly id: string }
  /** Changed outside and nothing unsaved stood in its way: the store now holds the disk's version. */
  | { readonly kind: 'taken'; readonly record: CaptionRecord }
  /** Changed outside while the caption had an unsaved edit: both texts, and the store keeps the old version until resolved. */
  | ({ readonly kind: 'conflict' } & CaptionConflict);

type SaveOutcome =
  | { readonly kind: 'saved'; readonly id: string }
  | ({ readonly kind: 'conflict' } & CaptionConflict)
  | { readonly kind: 'failed'; readonly id: string; readonly message: string };

interface StoredCaption {
  readonly id: string;
  readonly image: string;
  readonly file: string;
  /** The version last read or written: saves compare the disk against it. */
  known: CaptionFileContent;
  /**
   * The file's stamp when `known` was read from it, if its times were settled then: while the
   * disk shows the same stamp it still holds `known`, and a `stat` replaces reading it. Undefined
   * after our own write (its times are too fresh to trust) until a later read confirms it.
   */
  stamp: FileStamp | undefined;
}

/**
 * The captions of one dataset folder: `<stem>.txt` beside each `<stem>.png/jpg/jpeg/webp`. Files
 * are the truth; the store remembers which version of each it last read or wrote, so that it
 * never writes over a change it has not seen. Only the folder's top level is read (a dataset is
 * flat); an added or removed image needs a new `load`.
 *
 * Operations run one at a time, so a save never races a reload or another save of the same file.
 * Between a save's check and its rename a program could still write the file; that window is the
 * length of one `stat` or small read, and the editors people use honour no file-system lock anyway.
 */
export class CaptionStore {
  private readonly byId: ReadonlyMap<string, StoredCaption>;
  private readonly byFile: ReadonlyMap<string, StoredCaption>;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly folder: string,
    captions: readonly StoredCaption[],
    /** How a new caption file ends: as most of the dataset's files do. */
    private readonly newFileEnding: FileEnding,
    /** The clock stamps are judged settled by. */
    private readonly now: () => number,
  ) {
    this.byId = new Map(captions.map((caption) => [caption.id, caption]));
    this.byFile = new Map(captions.map((caption) => [caption.file, caption]));
  }

  static async load(folder: string, options: CaptionStoreOptions = {}): Promise<CaptionStore> {
    const now = options.now ?? Date.now;
    const root = path.resolve(folder);
    const entries = await readdir(root, { withFileTypes: true });
    const images = entries
      .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && isImageFile(entry.name))
      .map((entry) => entry.name)
      .sort();
    // sd-scripts pairs a caption with an image by stem, so `a.png` and `a.jpg` would share `a.txt`:
    // one caption per stem, shown with the first image.
    const imageOfStem = new Map<string, string>();
    for (const image of images) {
      const stem = image.slice(0, image.lastIndexOf('.'));
      if (!imageOfStem.has(stem)) imageOfStem.set(stem, image);
    }
    const captions = await mapLimited([...imageOfStem], async ([id, image]): Promise<StoredCaption> => {
      const file = path.join(root, `${id}.txt`);
      const { content, stamp } = await readStampedCaption(file, now);
      return { id, image, file, known: content, stamp };
    });
    return new CaptionStore(root, captions, mostCommonEnding(captions), now);
  }

  /** Every caption, in the order of the image names. */
  list(): CaptionRecord[] {
    return [...this.byId.values()].map(toRecord);
  }

  get(id: string): CaptionRecord | undefined {
    const caption = this.byId.get(id);
    return caption && toRecord(caption);
  }

  /** Every caption's text by id: what the caption editor starts from. */
  texts(): Map<string, string> {
    return new Map([...this.byId.values()].map((caption) => [caption.id, toRecord(caption).text]));
  }

  /** The id of the caption stored in `file`; undefined for any other file. */
  idOfFile(file: string): string | undefined {
    return this.byFile.get(path.resolve(file))?.id;
  }

  /**
   * Writes each caption (by id) atomically, but only where the disk still holds the version we
   * last read or wrote; otherwise it reports a conflict and leaves that file alone. Keeping one's
   * own text over a conflict is explicit: `reload(id)` without an unsaved text takes in the disk's
   * version, and a save after it writes over that version, now seen.
   *
   * The text is written as UTF-8 without a BOM, ending as the file did. A caption saved empty
   * has no file: one that was missing stays missing, and an existing file is removed (sd-scripts
   * refuses an empty caption file; undoing the caption of an image that had none ends there).
   */
  save(texts: ReadonlyMap<string, string>): Promise<CaptionSaveReport> {
    return this.exclusive(async () => {
      // Several at a time, to keep libuv's file threads busy: each save is several round trips. Results keep the order of `texts`.
      const outcomes = await mapLimited([...texts], ([id, text]) => this.saveOne(id, text));
      const saved: string[] = [];
      const conflicts: CaptionConflict[] = [];
      const failed: { id: string; message: string }[] = [];
      for (const outcome of outcomes) {
        if (outcome.kind === 'saved') saved.push(outcome.id);
        else if (outcome.kind === 'conflict') conflicts.push({ id: outcome.id, mine: outcome.mine, theirs: outcome.theirs });
        else failed.push({ id: outcome.id, message: outcome.message });
      }
      return { saved, conflicts, failed };
    });
  }

  /**
   * Reads a caption again, after a file event or on request. `unsaved` is the editor's text for
   * it, if the editor has one: when the disk changed and that text is an edit the disk does not
   * have, it is a conflict (both texts reported, nothing taken); otherwise the disk's version is
   * taken.
   */
  reload(id: string, unsaved?: string): Promise<CaptionDiskCheck> {
    return this.exclusive(() => this.reloadOne(id, unsaved));
  }

  /** `reload` for a file event: `unsaved` holds the editor's texts by id (all of them, or only the edited ones). */
  fileChanged(file: string, unsaved: ReadonlyMap<string, string>): Promise<CaptionDiskCheck> {
    return this.filesChanged([file], unsaved).then((checks) => checks[0]!);
  }

  /**
   * `fileChanged` for many files at once (a burst of file events, such as the echo of a save in
   * bulk), several read at a time; one check per file, in order.
   */
  filesChanged(files: readonly string[], unsaved: ReadonlyMap<string, string>): Promise<CaptionDiskCheck[]> {
    return this.exclusive(() =>
      mapLimited(files, (file) => {
        const id = this.idOfFile(file);
        return id === undefined ? Promise.resolve<CaptionDiskCheck>({ kind: 'notACaption' }) : this.reloadOne(id, unsaved.get(id));
      }),
    );
  }

  private async reloadOne(id: string, unsaved: string | undefined): Promise<CaptionDiskCheck> {
    const caption = this.byId.get(id);
    if (!caption) return { kind: 'notACaption' };
    const disk = await this.changeOnDisk(caption);
    if (disk === undefined) return { kind: 'unchanged', id };
    const edited = unsaved !== undefined && unsaved !== textOf(caption.known);
    if (edited && unsaved !== textOf(disk.content)) return { kind: 'conflict', id, mine: unsaved, theirs: theirsOf(disk.content) };
    caption.known = disk.content;
    caption.stamp = disk.stamp;
    return { kind: 'taken', record: toRecord(caption) };
  }

  /**
   * What the disk holds now when it is not the version last read or written; undefined when it
   * is. A settled stamp that still matches answers without reading; otherwise the file is read and
   * compared, and a match stamps it (when settled) so that the next look needs no read.
   */
  private async changeOnDisk(caption: StoredCaption): Promise<StampedCaption | undefined> {
    if (caption.stamp !== undefined && (await statStamp(caption.file)) === caption.stamp) return undefined;
    const disk = await readStampedCaption(caption.file, this.now);
    if (!sameVersion(disk.content, caption.known)) return disk;
    caption.stamp = disk.stamp;
    return undefined;
  }

  private async saveOne(id: string, text: string): Promise<SaveOutcome> {
    const caption = this.byId.get(id);
    if (!caption) return { kind: 'failed', id, message: `${id} is not an image of this dataset.` };
    if (caption.known.kind === 'notUtf8') {
      return { kind: 'failed', id, message: `${caption.file} is not UTF-8; it was left as it is. Convert it to UTF-8 to edit it here.` };
    }
    try {
      const disk = await this.changeOnDisk(caption);
      if (disk !== undefined) {
        // Someone wrote exactly our text: nothing to write and nothing lost.
        if (disk.content.kind !== 'text' || disk.content.text !== text) return { kind: 'conflict', id, mine: text, theirs: theirsOf(disk.content) };
        caption.known = disk.content;
        caption.stamp = disk.stamp;
        return { kind: 'saved', id };
      }
      const known = caption.known;
      if (known.kind === 'absent' ? text === '' : known.text === text) return { kind: 'saved', id };
      if (text === '') {
        // An empty caption is no caption: sd-scripts refuses an empty caption file, so it goes (its text was already gone).
        await rm(caption.file, { force: true });
        caption.known = { kind: 'absent' };
        caption.stamp = undefined;
        return { kind: 'saved', id };
      }
      const ending = known.kind === 'text' ? known.ending : this.newFileEnding;
      const bytes = encodeCaption(text, ending);
      // Saved on every edit and in bulk (a replace over 2,000 captions): replaced whole, but not
      // flushed one by one; and into the dataset folder as it is (one removed meanwhile is an error).
      await writeFileAtomic(caption.file, bytes, { durable: false, createFolder: false });
      caption.known = { kind: 'text', text, ending, hash: hashCaptionBytes(bytes) };
      caption.stamp = undefined;
      return { kind: 'saved', id };
    } catch (error) {
      return { kind: 'failed', id, message: errorMessage(error) };
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function toRecord(caption: StoredCaption): CaptionRecord {
  return {
    id: caption.id,
    image: caption.image,
    file: caption.file,
    text: textOf(caption.known),
    missing: caption.known.kind === 'absent',
    notUtf8: caption.known.kind === 'notUtf8',
  };
}

function textOf(content: CaptionFileContent): string {
  return content.kind === 'text' ? content.text : '';
}

function theirsOf(content: CaptionFileContent): string | undefined {
  return content.kind === 'text' ? content.text : undefined;
}

function sameVersion(a: CaptionFileContent, b: CaptionFileContent): boolean {
  if (a.kind === 'absent' || b.kind === 'absent') return a.kind === b.kind;
  return a.hash === b.hash;
}

/** The ending most of the dataset's caption files have; none when there is no majority. */
function mostCommonEnding(captions: readonly StoredCaption[]): FileEnding {
  const counts = new Map<FileEnding, number>([['', 0], ['\n', 0], ['\r\n', 0]]);
  for (const { known } of captions) if (known.kind === 'text') counts.set(known.ending, counts.get(known.ending)! + 1);
  let best: FileEnding = '';
  for (const [ending, count] of counts) if (count > counts.get(best)!) best = ending;
  return best;
}
