import type { Problem, Severity, TextRange } from '../model/problem';
import { chapterNumberOf } from '../studio/layout';
import { parseFrontMatter, type PropertyPath } from '../text/frontMatter';
import { errorMessage } from '../util/errors';
import type { LineSpan, PanelBlock, ParamLines, ParamRanges, ParsedPromptFile, PromptLine, PromptLineKind } from './parsedPromptFile';
import { checkParam, meantParamKey, paramHints, paramKeyOf, type PromptParamKey, type PromptParams, valueText } from './promptParams';
import { scanMarkdownLines } from './scanMarkdownLines';

/**
 * Parses a page's prompt file (`chapters/ch-XX/pNNN.page.md`, format in the README, "Prompt files") into its
 * page-wide defaults and one block per `## ` panel. Never throws, whatever the text: what is
 * wrong becomes a problem on its line, and the rest of the file still parses.
 */
export function parsePromptFile(file: string, text: string): ParsedPromptFile {
  try {
    return parse(file, text);
  } catch (error) {
    // Nothing here is known to throw; if something does, the editor still gets an answer
    // and the fuzz test (which looks for this code) fails.
    const lines = String(text).split('\n');
    return {
      file,
      lineCount: lines.length,
      frontMatter: { data: undefined, problems: [], span: undefined },
      defaults: {},
      defaultLines: {},
      defaultRanges: {},
      panels: [],
      problems: [problem(file, lineRange(lines, 0), 'error', 'prompt.internal', `StudioNOVA could not read this file: ${errorMessage(error)}`)],
      lines: lines.map((line) => ({ kind: 'notes', text: line })),
    };
  }
}

type MutableParams = { -readonly [K in PromptParamKey]?: PromptParams[K] };

interface OwnValue {
  readonly line: number;
  readonly range: TextRange;
  /** undefined: an empty value, which clears the page's default; null: an invalid one. */
  readonly value: unknown;
}

const openingFence = /^\uFEFF?---\s*$/;
const closingFence = /^---\s*$/;
const panelHeading = /^ {0,3}##(?:[ \t]|$)/;
const paramLine = /^([ \t]*)([A-Za-z][\w-]*)[ \t]*:(.*)$/;
const pagePath = /(?:^|\/)chapters\/([^/]+)\/p(\d{1,4})\.page\.md$/;

function parse(file: string, text: string): ParsedPromptFile {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const problems: Problem[] = [];
  const out: PromptLine[] = [];

  const front = readFrontMatter(file, lines);
  const frontProblems = front.problems.map((p) => ({ ...p, range: clampRange(p.range, lines) }));
  problems.push(...frontProblems);
  for (let i = 0; i < front.bodyLine; i++) out.push({ kind: 'front-matter', text: lines[i]! });

  const defaults: MutableParams = {};
  const defaultLines: ParamLines = {};
  const defaultRanges: ParamRanges = {};
  if (front.data && front.locate) {
    readDefaults(file, lines, front.data, front.locate, front.bodyLine, { defaults, defaultLines, defaultRanges, problems });
  }
  applyPagePath(file, defaults, defaultRanges, problems);

  const scan = scanMarkdownLines(lines, front.bodyLine, file);
  problems.push(...scan.problems);

  const panels: PanelBlock[] = [];
  let draft: PanelDraft | undefined;
  const finish = (endLine: number): void => {
    if (draft) panels.push(finishPanel(file, draft, endLine, { defaults, defaultLines, defaultRanges }, problems));
  };
  for (let i = front.bodyLine; i < lines.length; i++) {
    const line = scan.lines[i - front.bodyLine]!;
    let kind: PromptLineKind = line.kind === 'text' ? 'prompt' : line.kind;
    if (line.kind === 'heading') {
      finish(i);
      const index = panels.length + 1;
      draft = { index, title: line.title || `Panel ${index}`, headingLine: i, prompt: [], own: new Map() };
    } else if (line.kind === 'text') {
      kind = draft ? readPanelLine(file, draft, line.text, i, problems) : readNoteLine(file, line.text, i, front.reliable, problems);
    }
    out.push({ kind, text: line.text });
  }
  finish(lines.length);

  return {
    file,
    lineCount: lines.length,
    frontMatter: { data: front.data, problems: frontProblems, span: front.span },
    defaults,
    defaultLines,
    defaultRanges,
    panels,
    problems: problems
      .map((p) => ({ ...p, range: clampRange(p.range, lines) }))
      .sort((a, b) => a.range.startLine - b.range.startLine || a.range.startColumn - b.range.startColumn),
    lines: out,
  };
}

interface FrontMatterRead {
  readonly data: Record<string, unknown> | undefined;
  readonly locate: ((path: PropertyPath) => TextRange) | undefined;
  readonly problems: Problem[];
  readonly span: LineSpan | undefined;
  /** The first line after the front matter: 0 without one, 1 when it is not closed. */
  readonly bodyLine: number;
  /** False when the front matter is not closed, so lines after it are not what they seem. */
  readonly reliable: boolean;
}

/**
 * Front matter is optional in a page (unlike character.md), so a file that does not start
 * with `---` simply has no defaults. One that is not closed before the first panel heading is
 * reported, and the panels below still parse.
 */
function readFrontMatter(file: string, lines: readonly string[]): FrontMatterRead {
  if (!openingFence.test(lines[0]!)) return { data: undefined, locate: undefined, problems: [], span: undefined, bodyLine: 0, reliable: true };
  let closing = -1;
  for (let i = 1; i < lines.length; i++) {
    if (closingFence.test(lines[i]!)) {
      closing = i;
      break;
    }
    // A `---` further down is a horizontal rule of the body, not the end of the front matter.
    if (panelHeading.test(lines[i]!)) break;
  }
  // Only the front matter goes to the YAML parser: without a closing fence, the opening line
  // alone, so it reports the missing fence instead of reading the panels as YAML.
  const source = lines.slice(0, closing < 0 ? 1 : closing + 1).join('\n');
  // Never throws: even an alias bomb comes back as a problem.
  const front = parseFrontMatter(file, source);
  if (closing < 0) return { data: undefined, locate: undefined, problems: front.problems, span: { startLine: 0, endLine: 1 }, bodyLine: 1, reliable: false };
  return { data: front.data, locate: front.locate, problems: front.problems, span: { startLine: 0, endLine: closing + 1 }, bodyLine: closing + 1, reliable: true };
}

interface Defaults {
  readonly defaults: MutableParams;
  readonly defaultLines: ParamLines;
  readonly defaultRanges: ParamRanges;
}

function readDefaults(
  file: string,
  lines: readonly string[],
  data: Record<string, unknown>,
  locate: (path: PropertyPath) => TextRange,
  bodyLine: number,
  into: Defaults & { readonly problems: Problem[] },
): void {
  const seen = new Map<PromptParamKey, string>();
  for (const [rawKey, raw] of Object.entries(data)) {
    const key = paramKeyOf(rawKey);
    if (!key) {
      const meant = meantParamKey(rawKey);
      if (meant) {
        const range = keyRange(lines, bodyLine, rawKey) ?? locate([rawKey]);
        into.problems.push(problem(file, range, 'warning', 'prompt.unknown-key', `"${rawKey}" is not a parameter, so it does nothing: did you mean "${meant}"?`));
      }
      continue;
    }
    const range = locate([rawKey]);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      into.problems.push(problem(file, range, 'warning', 'prompt.duplicate-param', `"${rawKey}" and "${earlier}" are the same parameter; the last one counts.`));
    }
    seen.set(key, rawKey);
    const text = valueText(raw);
    forget(into, key);
    if (text === undefined) continue;
    if (text === null) {
      into.problems.push(problem(file, range, 'error', 'prompt.invalid-value', `${key}: must be a single value, not a list or mapping. ${paramHints[key]}.`));
      continue;
    }
    const checked = checkParam(key, text, file, range);
    if (!checked.ok) {
      into.problems.push(...checked.problems);
      continue;
    }
    (into.defaults as Record<PromptParamKey, unknown>)[key] = checked.value;
    into.defaultLines[key] = range.startLine;
    into.defaultRanges[key] = range;
  }
}

/** Chapter and page come from the path when the front matter leaves them out; a disagreement is worth a warning. */
function applyPagePath(file: string, defaults: MutableParams, ranges: ParamRanges, problems: Problem[]): void {
  const match = pagePath.exec(file);
  if (!match) return;
  const fromPath = { chapter: chapterNumberOf(match[1]!), page: Number(match[2]) };
  for (const key of ['chapter', 'page'] as const) {
    if (fromPath[key] < 1) continue;
    const written = defaults[key];
    if (written === undefined) {
      defaults[key] = fromPath[key];
    } else if (written !== fromPath[key] && ranges[key]) {
      problems.push(
        problem(file, ranges[key], 'warning', 'prompt.page-mismatch', `${key}: ${written}, but the file's path says ${key} ${fromPath[key]}: images will be saved as ${key} ${written}.`),
      );
    }
  }
}

interface PanelDraft {
  readonly index: number;
  readonly title: string;
  readonly headingLine: number;
  readonly prompt: string[];
  readonly own: Map<PromptParamKey, OwnValue>;
}

/** A `key: value` line with a known key sets the parameter; any other line is prompt text. */
function readPanelLine(file: string, draft: PanelDraft, text: string, line: number, problems: Problem[]): PromptLineKind {
  const match = paramLine.exec(text);
  const key = match ? paramKeyOf(match[2]!) : undefined;
  if (match && key) {
    const range = valueRange(match, line);
    const earlier = draft.own.get(key);
    if (earlier) {
      problems.push(
        problem(
          file,
          { startLine: earlier.line, startColumn: 0, endLine: earlier.line, endColumn: earlier.range.endColumn },
          'warning',
          'prompt.duplicate-param',
          `${key} is set again on line ${line + 1}, which counts: this line does nothing.`,
        ),
      );
    }
    const valueTextOnLine = match[3]!.trim();
    let value: unknown;
    if (valueTextOnLine !== '') {
      const checked = checkParam(key, valueTextOnLine, file, range);
      if (checked.ok) value = checked.value;
      else {
        problems.push(...checked.problems);
        value = null;
      }
    }
    draft.own.set(key, { line, range, value });
    return 'param';
  }
  if (match) {
    const meant = meantParamKey(match[2]!);
    if (meant) {
      const start = match[1]!.length;
      const range = { startLine: line, startColumn: start, endLine: line, endColumn: start + match[2]!.length };
      problems.push(problem(file, range, 'warning', 'prompt.unknown-key', `"${match[2]}:" is not a parameter, so this line is prompt text: did you mean "${meant}"?`));
    }
  }
  draft.prompt.push(text.trim());
  return 'prompt';
}

/** Text before the first panel is the page's notes; a parameter there would silently do nothing. */
function readNoteLine(file: string, text: string, line: number, reliable: boolean, problems: Problem[]): PromptLineKind {
  const match = reliable ? paramLine.exec(text) : null;
  const key = match ? paramKeyOf(match[2]!) : undefined;
  if (match && key) {
    const start = match[1]!.length;
    const range = { startLine: line, startColumn: start, endLine: line, endColumn: text.trimEnd().length };
    problems.push(
      problem(file, range, 'info', 'prompt.param-in-notes', `"${match[2]}:" above the first panel is a note and applies to nothing: page-wide values go in the front matter, a panel's under its "## " heading.`),
    );
  }
  return 'notes';
}

function finishPanel(file: string, draft: PanelDraft, endLine: number, page: Defaults, problems: Problem[]): PanelBlock {
  const params: MutableParams = { ...page.defaults };
  const paramLines: ParamLines = { ...page.defaultLines };
  const paramRanges: ParamRanges = { ...page.defaultRanges };
  for (const [key, own] of draft.own) {
    if (own.value === undefined || own.value === null) {
      // Empty clears the page's default; an invalid value hides it too, so the panel never
      // quietly runs with a value it did not ask for.
      forget({ defaults: params, defaultLines: paramLines, defaultRanges: paramRanges }, key);
      continue;
    }
    (params as Record<PromptParamKey, unknown>)[key] = own.value;
    paramLines[key] = own.line;
    paramRanges[key] = own.range;
  }
  const prompt = draft.prompt.join(' ').trim();
  if (prompt === '') {
    problems.push(
      problem(file, { startLine: draft.headingLine, startColumn: 0, endLine: draft.headingLine, endColumn: 2 }, 'warning', 'prompt.empty-panel', `"${draft.title}" has no prompt: write what to draw on the lines under its heading.`),
    );
  }
  return {
    id: `panel-${draft.index}`,
    index: draft.index,
    title: draft.title,
    headingLine: draft.headingLine,
    range: { startLine: draft.headingLine, endLine },
    prompt,
    params,
    paramLines,
    paramRanges,
  };
}

function forget(target: Defaults, key: PromptParamKey): void {
  delete target.defaults[key];
  delete target.defaultLines[key];
  delete target.defaultRanges[key];
}

/** The columns of a `key: value` line's value, trimmed; empty at the end of the line when there is none. */
function valueRange(match: RegExpExecArray, line: number): TextRange {
  const rest = match[3]!;
  const start = match[0].length - rest.length + (rest.length - rest.trimStart().length);
  const end = Math.max(start, match[0].length - (rest.length - rest.trimEnd().length));
  return { startLine: line, startColumn: start, endLine: line, endColumn: end };
}

/** Where a top-level front-matter key is written, for problems about the key itself. */
function keyRange(lines: readonly string[], bodyLine: number, key: string): TextRange | undefined {
  for (let i = 1; i < bodyLine; i++) {
    const line = lines[i]!;
    if (line.startsWith(key) && /^\s*:/.test(line.slice(key.length))) return { startLine: i, startColumn: 0, endLine: i, endColumn: key.length };
  }
  return undefined;
}

function lineRange(lines: readonly string[], line: number): TextRange {
  return { startLine: line, startColumn: 0, endLine: line, endColumn: (lines[line] ?? '').length };
}

/** Keeps a range inside the document, whatever a helper computed from the YAML. */
function clampRange(range: TextRange, lines: readonly string[]): TextRange {
  const last = lines.length - 1;
  const startLine = Math.min(Math.max(range.startLine, 0), last);
  const endLine = Math.min(Math.max(range.endLine, startLine), last);
  const startColumn = Math.min(Math.max(range.startColumn, 0), lines[startLine]!.length);
  const endColumn = Math.min(Math.max(range.endColumn, 0), lines[endLine]!.length);
  return { startLine, startColumn, endLine, endColumn: endLine === startLine ? Math.max(endColumn, startColumn) : endColumn };
}

function problem(file: string, range: TextRange, severity: Severity, code: string, message: string): Problem {
  return { file, range, severity, code, message };
}
