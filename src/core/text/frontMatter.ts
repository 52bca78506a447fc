import { isMap, LineCounter, parseDocument } from 'yaml';
import type { Problem, TextRange } from '../model/problem';
import { LineIndex } from './lineIndex';

export type PropertyPath = readonly PropertyKey[];

export interface FrontMatter {
  /** The YAML mapping between the `---` lines, or undefined when it is missing or broken. */
  readonly data: Record<string, unknown> | undefined;
  /** The markdown after the front matter. */
  readonly body: string;
  /** Zero-based line where the body starts. */
  readonly bodyLine: number;
  readonly problems: Problem[];
  /** Where a property of the front matter is written, for problems about its value. */
  locate(path: PropertyPath): TextRange;
}

const fence = /^---\s*$/;

/**
 * Splits a markdown file into YAML front matter and body. Never throws: a missing fence,
 * an unclosed fence or bad YAML each become a problem with the line where it is.
 */
export function parseFrontMatter(file: string, text: string): FrontMatter {
  const lines = text.split('\n');
  const firstLineRange: TextRange = { startLine: 0, startColumn: 0, endLine: 0, endColumn: (lines[0] ?? '').length };
  const problem = (range: TextRange, code: string, message: string): Problem => ({
    file,
    range,
    severity: 'error',
    code,
    message,
  });

  if (!fence.test((lines[0] ?? '').replace(/^\uFEFF/, ''))) {
    return {
      data: undefined,
      body: text,
      bodyLine: 0,
      problems: [problem(firstLineRange, 'front-matter.missing', 'The file must start with YAML front matter between two "---" lines.')],
      locate: () => firstLineRange,
    };
  }
  const closing = lines.findIndex((line, i) => i > 0 && fence.test(line));
  if (closing < 0) {
    return {
      data: undefined,
      body: '',
      bodyLine: lines.length,
      problems: [problem(firstLineRange, 'front-matter.unclosed', 'The front matter is not closed: add a line with "---" after it.')],
      locate: () => firstLineRange,
    };
  }

  const yamlSource = lines.slice(1, closing).join('\n');
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlSource, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlLines = new LineIndex(yamlSource);
  const problems: Problem[] = document.errors.map((error) =>
    problem(yamlLines.range(error.pos[0], Math.max(error.pos[1] - error.pos[0], 1), 1), 'front-matter.yaml', `Front matter is not valid YAML: ${firstSentence(error.message)}`),
  );

  let data: Record<string, unknown> | undefined;
  if (problems.length === 0) {
    if (document.contents === null) data = {};
    else if (isMap(document.contents)) {
      try {
        data = document.toJS() as Record<string, unknown>;
      } catch (error) {
        // yaml refuses to expand an alias bomb (or a cyclic alias) by throwing: a problem, not a crash.
        problems.push(problem({ ...firstLineRange, startLine: 1, endLine: 1 }, 'front-matter.yaml', `Front matter cannot be read: ${firstSentence(String((error as Error).message ?? error))}`));
      }
    }
    else problems.push(problem({ ...firstLineRange, startLine: 1, endLine: 1 }, 'front-matter.not-a-mapping', 'The front matter must be "key: value" lines.'));
  }

  const locate = (path: PropertyPath): TextRange => {
    for (let depth = path.length; depth > 0; depth--) {
      const node = document.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) {
        // The value's own range; for a missing key the nearest parent that exists.
        return yamlLines.range(node.range[0], node.range[1] - node.range[0], 1);
      }
    }
    return { startLine: 0, startColumn: 0, endLine: 0, endColumn: 3 };
  };

  return { data, body: lines.slice(closing + 1).join('\n'), bodyLine: closing + 1, problems, locate };
}

function firstSentence(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
