import type { TextRange } from '../model/problem';
import type { ParamRanges, ParsedPromptFile } from './parsedPromptFile';
import type { PromptParamKey, PromptParams } from './promptParams';

export interface ValueAt {
  readonly key: PromptParamKey;
  readonly value: PromptParams[PromptParamKey];
  readonly range: TextRange;
}

/**
 * The parameter value written at a position, in the front matter or in a panel: what a hover
 * describes. Only values written there count, not those a panel inherits. Pure.
 */
export function valueAt(parsed: ParsedPromptFile, line: number, column: number): ValueAt | undefined {
  const panel = parsed.panels.find((p) => line >= p.range.startLine && line < p.range.endLine);
  const [params, ranges] = panel ? [panel.params, panel.paramRanges] : [parsed.defaults, parsed.defaultRanges];
  for (const [key, range] of Object.entries(ranges) as Array<[PromptParamKey, ParamRanges[PromptParamKey]]>) {
    if (!range || !contains(range, line, column)) continue;
    const value = params[key];
    if (value !== undefined) return { key, value, range };
  }
  return undefined;
}

function contains(range: TextRange, line: number, column: number): boolean {
  if (line < range.startLine || line > range.endLine) return false;
  if (line === range.startLine && column < range.startColumn) return false;
  return !(line === range.endLine && column > range.endColumn);
}
