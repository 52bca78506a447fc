import type { Page, PanelSummary } from '../../model/studio';
import type { IndexDatabase } from '../indexDatabase';
import { Table } from '../table';

export class PageRepository extends Table<Page> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'pages',
      columns: ['path', 'chapter_id', 'number', 'panel_count', 'panels'],
      toRow: (p) => [p.path, p.chapterId, p.number, p.panelCount, JSON.stringify(p.panels)],
      fromRow: (r) => ({
        path: String(r['path']),
        chapterId: String(r['chapter_id']),
        number: Number(r['number']),
        panelCount: Number(r['panel_count']),
        panels: JSON.parse(String(r['panels'])) as PanelSummary[],
      }),
    });
  }

  forChapter(chapterId: string): Page[] {
    return this.select('WHERE chapter_id = ? ORDER BY number', [chapterId]);
  }

  get(path: string): Page | undefined {
    return this.select('WHERE path = ?', [path])[0];
  }
}
