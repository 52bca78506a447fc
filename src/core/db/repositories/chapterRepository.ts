import type { Chapter } from '../../model/studio';
import type { IndexDatabase } from '../indexDatabase';
import { Table } from '../table';

export class ChapterRepository extends Table<Chapter> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'chapters',
      columns: ['id', 'number', 'title', 'path'],
      toRow: (c) => [c.id, c.number, c.title, c.path],
      fromRow: (r) => ({ id: String(r['id']), number: Number(r['number']), title: String(r['title']), path: String(r['path']) }),
    });
  }

  list(): Chapter[] {
    return this.select('ORDER BY number, id');
  }

  get(id: string): Chapter | undefined {
    return this.select('WHERE id = ?', [id])[0];
  }
}
