import type { Character } from '../../model/studio';
import type { IndexDatabase } from '../indexDatabase';
import { nullable, Table, text } from '../table';

export class CharacterRepository extends Table<Character> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'characters',
      columns: ['id', 'name', 'trigger_word', 'class', 'lora', 'negative', 'description', 'path', 'consent_at'],
      toRow: (c) => [c.id, c.name, nullable(c.trigger), nullable(c.class), nullable(c.lora), nullable(c.negative), nullable(c.description), c.path, nullable(c.consentAt)],
      fromRow: (r) => ({
        id: String(r['id']),
        name: String(r['name']),
        trigger: text(r['trigger_word']),
        class: text(r['class']),
        lora: text(r['lora']),
        negative: text(r['negative']),
        description: text(r['description']),
        path: String(r['path']),
        consentAt: text(r['consent_at']),
      }),
    });
  }

  list(): Character[] {
    return this.select('ORDER BY name COLLATE NOCASE, id');
  }

  get(id: string): Character | undefined {
    return this.select('WHERE id = ?', [id])[0];
  }
}
