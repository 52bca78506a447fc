import type { Dataset, DatasetKind } from '../../model/studio';
import type { IndexDatabase } from '../indexDatabase';
import { nullable, Table, text } from '../table';

export class DatasetRepository extends Table<Dataset> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'datasets',
      columns: ['id', 'character_id', 'trigger_word', 'kind', 'repeats', 'path', 'image_count', 'captioned_count'],
      toRow: (d) => [d.id, nullable(d.characterId), nullable(d.trigger), d.kind, d.repeats, d.path, d.imageCount, d.captionedCount],
      fromRow: (r) => ({
        id: String(r['id']),
        characterId: text(r['character_id']),
        trigger: text(r['trigger_word']),
        kind: String(r['kind']) as DatasetKind,
        repeats: Number(r['repeats']),
        path: String(r['path']),
        imageCount: Number(r['image_count']),
        captionedCount: Number(r['captioned_count']),
      }),
    });
  }

  list(): Dataset[] {
    return this.select('ORDER BY id');
  }

  get(id: string): Dataset | undefined {
    return this.select('WHERE id = ?', [id])[0];
  }

  forCharacter(characterId: string): Dataset[] {
    return this.select('WHERE character_id = ? ORDER BY id', [characterId]);
  }
}
