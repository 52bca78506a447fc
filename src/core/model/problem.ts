export type Severity = 'error' | 'warning' | 'info';

/** Zero-based, end exclusive, as editors count. */
export interface TextRange {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** Something wrong in a studio file, with where it is and what to do about it. */
export interface Problem {
  /** Studio-relative path with forward slashes. */
  readonly file: string;
  readonly range: TextRange;
  readonly severity: Severity;
  /** Stable machine-readable code, e.g. `front-matter.yaml`, `character.missing-field`. */
  readonly code: string;
  readonly message: string;
}

const severityRank: Record<Severity, number> = { error: 2, warning: 1, info: 0 };

/** The most severe of the problems, or undefined when there are none. */
export function worstSeverity(problems: readonly Problem[]): Severity | undefined {
  let worst: Severity | undefined;
  for (const { severity } of problems) {
    if (!worst || severityRank[severity] > severityRank[worst]) worst = severity;
  }
  return worst;
}
