import type { Problem } from '../../model/problem';
import type { DocumentResult, ParsedDocument } from '../../studio/documents';
import type { IndexDatabase } from '../indexDatabase';
import { Table } from '../table';

/** A parsed studio document as cached in the index, with the fingerprint of the file it came from. */
export interface CachedDocument extends DocumentResult {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

const columns = ['path', 'kind', 'size', 'mtime_ms', 'data', 'problems'];

/**
 * The parse cache: a file whose size and modification time match its row is not read again.
 * This is what makes reopening a studio, or refreshing it after one edit, cheap.
 */
export class DocumentRepository extends Table<CachedDocument> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'documents',
      columns,
      toRow: (d) => [d.path, d.document.kind, d.size, d.mtimeMs, JSON.stringify(d.document), JSON.stringify(d.problems)],
      fromRow: (r) => ({
        path: String(r['path']),
        size: Number(r['size']),
        mtimeMs: Number(r['mtime_ms']),
        document: JSON.parse(String(r['data'])) as ParsedDocument,
        problems: JSON.parse(String(r['problems'])) as Problem[],
      }),
    });
  }

  all(): Map<string, CachedDocument> {
    return new Map(this.select().map((d) => [d.path, d]));
  }

  /**
   * Brings the table in line with `documents` by writing only the rows of those `read` again and
   * dropping those of files that are gone: after one edit the cache costs one row, not a rewrite
   * of every document (the generation log alone can be a megabyte).
   */
  update(documents: ReadonlyMap<string, CachedDocument>, read: readonly CachedDocument[]): void {
    this.sync(documents, read);
  }
}
