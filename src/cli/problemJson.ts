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

/** Writes each problem as a JSON line; true when any of them is an error. */
export function writeProblems(problems: readonly Problem[], to: NodeJS.WritableStream): boolean {
  for (const problem of problems) to.write(`${problemToJsonLine(problem)}\n`);
  return problems.some((p) => p.severity === 'error');
}
