import { findNodeAtLocation, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { Problem, TextRange } from '../model/problem';
import { LineIndex } from './lineIndex';
import type { PropertyPath } from './frontMatter';

export interface JsonDocument {
  readonly data: unknown;
  readonly problems: Problem[];
  locate(path: PropertyPath): TextRange;
}

/** Parses strict JSON, turning syntax errors into problems with their line instead of throwing. */
export function parseJsonDocument(file: string, text: string): JsonDocument {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const lines = new LineIndex(text);
  const problems: Problem[] = errors.map((error) => ({
    file,
    range: lines.range(error.offset, Math.max(error.length, 1)),
    severity: 'error',
    code: 'json.syntax',
    message: `Not valid JSON: ${describe(printParseErrorCode(error.error))}.`,
  }));
  const locate = (path: PropertyPath): TextRange => {
    if (root) {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = findNodeAtLocation(root, path.slice(0, depth) as (string | number)[]);
        // A property's value node; its parent property node covers the key as well.
        const target = node?.parent?.type === 'property' ? node.parent : node;
        if (target) return lines.range(target.offset, depth === 0 ? 1 : target.length);
      }
    }
    return { startLine: 0, startColumn: 0, endLine: 0, endColumn: 1 };
  };
  // Plain objects from JSON.parse (jsonc-parser's own values have no prototype).
  return { data: errors.length === 0 && root ? (JSON.parse(text) as unknown) : undefined, problems, locate };
}

/** `CommaExpected` → `comma expected`. */
function describe(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
