import type { Problem } from '../model/problem';
import type { ParsedPromptFile } from './parsedPromptFile';

/**
 * The problems that bear on generating some panels of a page: those in the front matter and
 * notes, which every panel inherits, and those inside the chosen panels. What is written in the
 * other panels does not stop them. Without a choice, every problem of the page counts.
 */
export function problemsConcerning<P extends Problem>(problems: readonly P[], parsed: ParsedPromptFile, panels?: ReadonlySet<number>): P[] {
  if (!panels) return [...problems];
  return problems.filter((problem) => {
    const line = problem.range.startLine;
    return !parsed.panels.some((panel) => !panels.has(panel.index) && line >= panel.range.startLine && line < panel.range.endLine);
  });
}
