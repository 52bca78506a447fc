import type { Problem, TextRange } from '../model/problem';
import type { PromptParamKey, PromptParams } from './promptParams';

/** Zero-based lines, `endLine` exclusive: the lines from `startLine` up to, not including, `endLine`. */
export interface LineSpan {
  readonly startLine: number;
  readonly endLine: number;
}

/** Where each parameter's value is written. */
export type ParamLines = Partial<Record<PromptParamKey, number>>;
export type ParamRanges = Partial<Record<PromptParamKey, TextRange>>;

/**
 * What a line is to the parser. `other` is markdown that is neither prompt nor parameter: a
 * heading of another level or a horizontal rule. `code` is a fenced code block, fences included.
 */
export type PromptLineKind = 'front-matter' | 'notes' | 'heading' | 'param' | 'prompt' | 'blank' | 'comment' | 'code' | 'other';

export interface PromptLine {
  readonly kind: PromptLineKind;
  /** The line without its `\r`, HTML comments blanked out with spaces so columns still match. */
  readonly text: string;
}

/** One `## ` heading and the lines under it, up to the next one. */
export interface PanelBlock {
  /** `panel-<n>`: stable while panels keep their order; moving a panel renumbers it. */
  readonly id: string;
  /** 1-based position in the file, the `n` of the id and the panel number of outputs. */
  readonly index: number;
  /** The heading's text, or `Panel <n>` for a bare `##`. */
  readonly title: string;
  readonly headingLine: number;
  /** From the heading to the next heading or the end of the file. */
  readonly range: LineSpan;
  /** The prompt lines, trimmed and joined with a space; empty when there are none. */
  readonly prompt: string;
  /** The page's defaults merged with the panel's own values, validated. */
  readonly params: PromptParams;
  /** The line of each value in `params`: the panel's own line, or the front matter's. */
  readonly paramLines: ParamLines;
  /** The value's columns on that line (for front matter, the YAML value). */
  readonly paramRanges: ParamRanges;
}

export interface ParsedFrontMatter {
  /** The YAML mapping; undefined when the file has none or it cannot be read. */
  readonly data: Record<string, unknown> | undefined;
  /** Problems of the YAML itself: fences, syntax, not a mapping. */
  readonly problems: readonly Problem[];
  /** The lines from the opening `---` to the closing one; undefined when there is no front matter. */
  readonly span: LineSpan | undefined;
}

export interface ParsedPromptFile {
  /** Studio-relative path, as in every Problem. */
  readonly file: string;
  readonly lineCount: number;
  readonly frontMatter: ParsedFrontMatter;
  /**
   * The page-wide parameters: the front matter's valid values, and the chapter and page from
   * the file's path (`chapters/ch-01/p001.page.md`) when the front matter does not give them.
   */
  readonly defaults: PromptParams;
  readonly defaultLines: ParamLines;
  readonly defaultRanges: ParamRanges;
  readonly panels: readonly PanelBlock[];
  /** Every problem the text alone shows, the front matter's included; each range inside the file. */
  readonly problems: readonly Problem[];
  /** Every line of the file, classified. */
  readonly lines: readonly PromptLine[];
}
