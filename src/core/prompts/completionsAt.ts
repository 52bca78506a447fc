import type { TextRange } from '../model/problem';
import type { ParsedPromptFile } from './parsedPromptFile';
import type { PromptContext } from './promptDiagnostic';
import { paramKeyOf } from './promptParams';

/** The parameters whose values come from a list the studio or ComfyUI knows. */
export type CompletionKind = 'character' | 'sampler' | 'scheduler' | 'checkpoint' | 'lora' | 'template';

export interface PromptCompletion {
  readonly label: string;
  readonly kind: CompletionKind;
  /** The value being typed, which `insertText` replaces. */
  readonly range: TextRange;
  /** The label, with a space before it right after a bare colon. */
  readonly insertText: string;
}

/** Completions read only the lists; the hardware profile plays no part. */
export type CompletionContext = Omit<PromptContext, 'hardware'>;

const keyValue = /^([ \t]*)([A-Za-z][\w-]*)[ \t]*:([ \t]*)(.*?)[ \t]*$/;

/**
 * The values that fit where the cursor is, when it is in the value of `character:`,
 * `sampler:`, `scheduler:`, `checkpoint:`, `lora:` or `template:`, in the front matter or in a
 * panel; nothing anywhere else, or when the list is unknown. Unfiltered: the editor filters
 * by what is typed. Pure.
 */
export function completionsAt(parsed: ParsedPromptFile, line: number, column: number, context: CompletionContext): PromptCompletion[] {
  const info = parsed.lines[line];
  if (!info || (info.kind !== 'front-matter' && info.kind !== 'param')) return [];
  const match = keyValue.exec(info.text);
  // In YAML only a top-level key is a parameter.
  if (!match || (info.kind === 'front-matter' && match[1] !== '')) return [];
  const kind = completionKind(match[2]!);
  if (!kind) return [];
  const colon = info.text.indexOf(':', match[1]!.length + match[2]!.length);
  if (column <= colon) return [];
  let start = colon + 1 + match[3]!.length;
  let end = start + match[4]!.length;
  // A quoted YAML value keeps its quotes: only the text inside them is replaced.
  const quote = /^["']/.exec(match[4]!)?.[0];
  if (quote) {
    start += 1;
    if (end > start && info.text[end - 1] === quote) end -= 1;
  }
  // A host may ask past the end of the line; the range stays on it.
  const cursor = Math.min(column, info.text.length);
  const range = { startLine: line, startColumn: Math.min(start, cursor), endLine: line, endColumn: Math.max(end, cursor) };
  // `sampler:|` gets a space before the value: YAML needs one, and it reads better in a panel.
  const prefix = match[3] === '' && match[4] === '' ? ' ' : '';
  return candidates(kind, context).map((label) => ({ label, kind, range, insertText: `${prefix}${label}` }));
}

function completionKind(key: string): CompletionKind | undefined {
  const param = paramKeyOf(key);
  switch (param) {
    case 'character':
    case 'sampler':
    case 'scheduler':
    case 'checkpoint':
    case 'lora':
    case 'template':
      return param;
    default:
      return undefined;
  }
}

function candidates(kind: CompletionKind, context: CompletionContext): readonly string[] {
  switch (kind) {
    case 'character':
      return [...context.characters].sort();
    case 'sampler':
      return context.samplers ?? [];
    case 'scheduler':
      return context.schedulers ?? [];
    case 'checkpoint':
      return context.checkpoints ?? [];
    case 'lora':
      return context.loras ?? [];
    case 'template':
      return context.templates ?? [];
  }
}
