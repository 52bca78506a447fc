import type { Asset } from '../../model/studio';
import type { IndexDatabase } from '../indexDatabase';
import { int, nullable, Table, text } from '../table';

export class AssetRepository extends Table<Asset> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'assets',
      columns: ['path', 'kind', 'chapter_id', 'page', 'version', 'stage', 'size', 'mtime_ms', 'has_sidecar', 'panel', 'seed'],
      toRow: (a) => [a.path, a.kind, nullable(a.chapterId), nullable(a.page), nullable(a.version), nullable(a.stage), a.size, a.mtimeMs, a.hasSidecar ? 1 : 0, nullable(a.panel), nullable(a.seed)],
      fromRow: (r) => ({
        path: String(r['path']),
        kind: 'image',
        chapterId: text(r['chapter_id']),
        page: int(r['page']),
        version: int(r['version']),
        stage: text(r['stage']),
        size: Number(r['size']),
        mtimeMs: Number(r['mtime_ms']),
        hasSidecar: r['has_sidecar'] === 1,
        panel: int(r['panel']),
        seed: int(r['seed']),
      }),
    });
  }

  /** Newest first, as the gallery shows them. */
  newest(limit: number, offset = 0): Asset[] {
    return this.select('ORDER BY mtime_ms DESC, path LIMIT ? OFFSET ?', [limit, offset]);
  }

  forPage(chapterId: string, page: number): Asset[] {
    return this.select('WHERE chapter_id = ? AND page = ? ORDER BY version', [chapterId, page]);
  }

  /** Every version made for one panel, each with its raw, approved and other copies side by side. */
  forPanel(chapterId: string, page: number, panel: number): Asset[] {
    return this.select('WHERE chapter_id = ? AND page = ? AND panel = ? ORDER BY version, stage', [chapterId, page, panel]);
  }
}
