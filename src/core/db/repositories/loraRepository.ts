import type { Lora, LoraSource } from '../../model/studio';
import type { IndexDatabase } from '../indexDatabase';
import { nullable, Table, text } from '../table';

export class LoraRepository extends Table<Lora> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'loras',
      columns: ['name', 'path', 'character_id', 'source'],
      toRow: (l) => [l.name, nullable(l.path), nullable(l.characterId), l.source],
      fromRow: (r) => ({
        name: String(r['name']),
        path: text(r['path']),
        characterId: text(r['character_id']),
        source: String(r['source']) as LoraSource,
      }),
    });
  }

  list(): Lora[] {
    return this.select('ORDER BY name COLLATE NOCASE');
  }
}
