import type { Problem } from '../model/problem';

/**
 * What a markdown line is, before the prompt-file parser gives text lines their meaning.
 * `heading` is a `## ` panel heading; `other` is a heading of another level or a horizontal rule.
 */
export type MarkdownLineKind = 'heading' | 'text' | 'blank' | 'comment' | 'code' | 'other';

export interface MarkdownLine {
  readonly kind: MarkdownLineKind;
  /** The line with HTML comments blanked out by spaces, so columns still match the document. */
  readonly text: string;
  /** The heading's text, for `heading` lines. */
  readonly title?: string;
}

export interface MarkdownScan {
  /** One entry per line of `lines`, from `from` on. */
  readonly lines: MarkdownLine[];
  readonly problems: Problem[];
}

const panelHeading = /^ {0,3}##(?:[ \t]+(.*))?$/;
const otherHeading = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const horizontalRule = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
// A backtick fence's info string cannot hold a backtick (CommonMark), a tilde fence's can.
const fenceOpening = /^ {0,3}(?:(`{3,})[^`]*|(~{3,}).*)$/;
const fenceClosing = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/**
 * Classifies markdown lines the way the prompt-file format reads them (README, "Prompt files"):
 * - an HTML comment hides everything in it, panel headings included, so a panel can be
 *   commented out; a comment that is never closed runs to the end of the file (as in CommonMark);
 * - a fenced code block is ignored, but a `## ` heading always starts a panel, even inside an
 *   unclosed fence, so typing a fence never makes the panels below it disappear.
 * Linear in the length of the text; never throws.
 */
export function scanMarkdownLines(lines: readonly string[], from: number, file: string): MarkdownScan {
  const result: MarkdownLine[] = [];
  const problems: Problem[] = [];
  let comment: { line: number; column: number } | undefined;
  let fence: { line: number; marker: string } | undefined;

  const unclosedFence = (end: string): void => {
    const line = fence!.line;
    problems.push({
      file,
      range: { startLine: line, startColumn: 0, endLine: line, endColumn: lines[line]!.length },
      severity: 'warning',
      code: 'prompt.unclosed-fence',
      message: `This code block is not closed: it ends ${end}. Close it with a line "${fence!.marker}".`,
    });
    fence = undefined;
  };

  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (fence) {
      const closing = fenceClosing.exec(line);
      if (closing && closing[1]![0] === fence.marker[0] && closing[1]!.length >= fence.marker.length) {
        fence = undefined;
        result.push({ kind: 'code', text: line });
        continue;
      }
      if (!panelHeading.test(line)) {
        result.push({ kind: 'code', text: line });
        continue;
      }
      unclosedFence(`at the next panel heading (line ${i + 1})`);
    }

    const wasInComment = comment !== undefined;
    const stripped = stripComments(line, comment, i);
    comment = stripped.open;
    const text = stripped.text;
    if (text.trim() === '') {
      result.push({ kind: wasInComment || text !== line ? 'comment' : 'blank', text });
      continue;
    }
    const heading = panelHeading.exec(text);
    if (heading) {
      // `## Title ##` may close with hashes, as any ATX heading.
      const title = (heading[1] ?? '').replace(/(?:^|[ \t]+)#+[ \t]*$/, '').trim();
      result.push({ kind: 'heading', text, title });
      continue;
    }
    const opening = fenceOpening.exec(text);
    if (opening) {
      fence = { line: i, marker: opening[1] ?? opening[2]! };
      result.push({ kind: 'code', text });
      continue;
    }
    result.push({ kind: otherHeading.test(text) || horizontalRule.test(text) ? 'other' : 'text', text });
  }

  if (fence) unclosedFence('at the end of the file');
  if (comment) {
    problems.push({
      file,
      range: { startLine: comment.line, startColumn: comment.column, endLine: comment.line, endColumn: comment.column + 4 },
      severity: 'warning',
      code: 'prompt.unclosed-comment',
      message: 'This comment is not closed, so everything after it is ignored, panels included. Close it with "-->".',
    });
  }
  return { lines: result, problems };
}

/**
 * Blanks out the parts of a line inside `<!-- … -->`, starting inside a comment when `open` is
 * set; returns where a comment that is still open at the end of the line started.
 */
function stripComments(
  line: string,
  open: { line: number; column: number } | undefined,
  lineNumber: number,
): { text: string; open: { line: number; column: number } | undefined } {
  // Most lines have no comment at all.
  if (!open && !line.includes('<!--')) return { text: line, open };
  let text = '';
  let at = 0;
  while (at < line.length) {
    if (open) {
      const end = line.indexOf('-->', at);
      const stop = end < 0 ? line.length : end + 3;
      text += ' '.repeat(stop - at);
      at = stop;
      if (end >= 0) open = undefined;
    } else {
      const start = line.indexOf('<!--', at);
      if (start < 0) {
        text += line.slice(at);
        break;
      }
      text += `${line.slice(at, start)}    `;
      at = start + 4;
      open = { line: lineNumber, column: start };
    }
  }
  return { text, open };
}
