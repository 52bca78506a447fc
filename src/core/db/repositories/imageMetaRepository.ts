import type { ImageFacts } from '../../model/studio';
import type { IndexDatabase } from '../indexDatabase';
import { Table } from '../table';

/** What one foreign image's metadata said, with the fingerprint of the file it was read from. */
export interface CachedImageFacts {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly facts: ImageFacts;
}

/**
 * The metadata cache of images the generation log does not know (dropped into output/, or in a
 * gallery root): each is read once, and again only when its size or time changes.
 */
export class ImageMetaRepository extends Table<CachedImageFacts> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'image_meta',
      columns: ['path', 'size', 'mtime_ms', 'data'],
      toRow: (m) => [m.path, m.size, m.mtimeMs, JSON.stringify(m.facts)],
      fromRow: (r) => ({ path: String(r['path']), size: Number(r['size']), mtimeMs: Number(r['mtime_ms']), facts: JSON.parse(String(r['data'])) as ImageFacts }),
    });
  }

  all(): Map<string, CachedImageFacts> {
    return new Map(this.select().map((m) => [m.path, m]));
  }
}
