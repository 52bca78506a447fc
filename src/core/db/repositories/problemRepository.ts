import type { Problem, Severity } from '../../model/problem';
import type { IndexDatabase } from '../indexDatabase';
import { Table } from '../table';

export class ProblemRepository extends Table<Problem> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'problems',
      columns: ['path', 'start_line', 'start_column', 'end_line', 'end_column', 'severity', 'code', 'message'],
      toRow: (p) => [p.file, p.range.startLine, p.range.startColumn, p.range.endLine, p.range.endColumn, p.severity, p.code, p.message],
      fromRow: (r) => ({
        file: String(r['path']),
        range: {
          startLine: Number(r['start_line']),
          startColumn: Number(r['start_column']),
          endLine: Number(r['end_line']),
          endColumn: Number(r['end_column']),
        },
        severity: String(r['severity']) as Severity,
        code: String(r['code']),
        message: String(r['message']),
      }),
    });
  }

  list(): Problem[] {
    return this.select('ORDER BY path, start_line, start_column');
  }

  /** Problems of one file, or of every file below a folder. */
  under(studioPath: string): Problem[] {
    return this.select(`WHERE path = ? OR substr(path, 1, ?) = ? ORDER BY path, start_line`, [studioPath, studioPath.length + 1, `${studioPath}/`]);
  }
}
