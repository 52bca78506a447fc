import type { Page } from '../../model/studio';
import type { IndexDatabase } from '../indexDatabase';
import { Table } from '../table';

export class PageRepository extends Table<Page> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'pages',
      columns: ['path', 'chapter_id', 'number', 'panel_count'],
      toRow: (p) => [p.path, p.chapterId, p.number, p.panelCount],
      fromRow: (r) => ({ path: String(r['path']), chapterId: String(r['chapter_id']), number: Number(r['number']), panelCount: Number(r['panel_count']) }),
    });
  }

  forChapter(chapterId: string): Page[] {
    return this.select('WHERE chapter_id = ? ORDER BY number', [chapterId]);
  }
}
