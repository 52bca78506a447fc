import type { SqlValue } from 'sql.js';
import type { ImageSource } from '../../../shared/protocol/gallery';
import type { Asset } from '../../model/studio';
import type { IndexDatabase } from '../indexDatabase';
import { int, nullable, Table, text } from '../table';

export class AssetRepository extends Table<Asset> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'assets',
      columns: [
        'path', 'kind', 'chapter_id', 'page', 'version', 'stage', 'size', 'mtime_ms', 'has_sidecar', 'panel', 'seed',
        'source', 'character_id', 'checkpoint', 'loras', 'prompt', 'negative', 'width', 'height', 'created_ms', 'approved', 'listed', 'rating',
      ],
      toRow: (a) => [
        a.path, a.kind, nullable(a.chapterId), nullable(a.page), nullable(a.version), nullable(a.stage), a.size, a.mtimeMs, a.hasSidecar ? 1 : 0, nullable(a.panel), nullable(a.seed),
        a.source, nullable(a.characterId), nullable(a.checkpoint), JSON.stringify(a.loras), nullable(a.prompt), nullable(a.negative), nullable(a.width), nullable(a.height), a.createdMs, a.approved ? 1 : 0, a.listed ? 1 : 0, a.rating,
      ],
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
        source: String(r['source']) as ImageSource,
        characterId: text(r['character_id']),
        checkpoint: text(r['checkpoint']),
        loras: JSON.parse(String(r['loras'] ?? '[]')) as string[],
        prompt: text(r['prompt']),
        negative: text(r['negative']),
        width: int(r['width']),
        height: int(r['height']),
        createdMs: Number(r['created_ms']),
        approved: r['approved'] === 1,
        listed: r['listed'] === 1,
        rating: Number(r['rating']),
      }),
    });
  }

  /** Images by a condition composed elsewhere (the gallery's filters), with its order and limit. */
  selectWhere(whereOrderAndLimit: string, params: SqlValue[]): Asset[] {
    return this.select(whereOrderAndLimit, params);
  }

  /** One image by its path, listed or not. */
  get(path: string): Asset | undefined {
    return this.select('WHERE path = ?', [path])[0];
  }

  forPage(chapterId: string, page: number): Asset[] {
    return this.select('WHERE chapter_id = ? AND page = ? ORDER BY version', [chapterId, page]);
  }

  /** Every version made for one panel, each with its raw, approved and other copies side by side. */
  forPanel(chapterId: string, page: number, panel: number): Asset[] {
    return this.select('WHERE chapter_id = ? AND page = ? AND panel = ? ORDER BY version, stage', [chapterId, page, panel]);
  }
}
