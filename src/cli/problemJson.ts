import type { Problem } from '../core/model/problem';

/** One problem as a JSON line, with 1-based line and column as people and editors' "go to" count. */
export function problemToJsonLine(problem: Problem): string {
  const { startLine, startColumn, endLine, endColumn } = problem.range;
  return JSON.stringify({
    file: problem.file,
    line: startLine + 1,
    column: startColumn + 1,
    endLine: endLine + 1,
    endColumn: endColumn + 1,
    severity: problem.severity,
    code: problem.code,
    message: problem.message,
  });
}
