import type { ParameterField } from '../../src/shared/protocol/gallery';

/** One row of the compare table: a field of either image, with both values (null where an image lacks it). */
export interface FieldComparison {
  readonly key: string;
  readonly label: string;
  readonly a: string | null;
  readonly b: string | null;
  readonly differs: boolean;
}

/**
 * Every field key of either image, the rows that differ first (what a person compares for), each group in
 * the order the fields are read: A's order, then B's fields that A lacks.
 */
export function compareFields(a: readonly ParameterField[], b: readonly ParameterField[]): FieldComparison[] {
  const fromA = new Map(a.map((field) => [field.key, field]));
  const fromB = new Map(b.map((field) => [field.key, field]));
  const keys = [...fromA.keys(), ...[...fromB.keys()].filter((key) => !fromA.has(key))];
  const rows = keys.map((key): FieldComparison => {
    const left = fromA.get(key);
    const right = fromB.get(key);
    return {
      key,
      label: left?.label ?? right?.label ?? key,
      a: left?.value ?? null,
      b: right?.value ?? null,
      differs: left?.value !== right?.value,
    };
  });
  return [...rows.filter((row) => row.differs), ...rows.filter((row) => !row.differs)];
}

/** A piece of a prompt: a word (`changed` when the other prompt lacks it there) or the separators between words. */
export interface DiffToken {
  readonly text: string;
  readonly changed: boolean;
}

export interface WordDiff {
  readonly a: DiffToken[];
  readonly b: DiffToken[];
}

// Prompts are comma-separated tags with weights in brackets, so commas and brackets separate words too.
const tokenPattern = /[\s,;|()[\]{}]+|[^\s,;|()[\]{}]+/g;
const separatorPattern = /^[\s,;|()[\]{}]+$/;

/** Beyond this many word pairs the exact diff costs too much; fall back to "is the word in the other prompt". */
const maxLcsCells = 250_000;

/** Marks the words of `a` and `b` that are not in their longest common subsequence of words. */
export function diffWords(a: string, b: string): WordDiff {
  const tokensA = a.match(tokenPattern) ?? [];
  const tokensB = b.match(tokenPattern) ?? [];
  const wordsA = wordIndices(tokensA);
  const wordsB = wordIndices(tokensB);
  const [keptA, keptB] =
    wordsA.length * wordsB.length <= maxLcsCells
      ? commonSubsequence(wordsA.map((i) => tokensA[i] as string), wordsB.map((i) => tokensB[i] as string))
      : sharedWords(wordsA.map((i) => tokensA[i] as string), wordsB.map((i) => tokensB[i] as string));
  return { a: markTokens(tokensA, wordsA, keptA), b: markTokens(tokensB, wordsB, keptB) };
}

function wordIndices(tokens: readonly string[]): number[] {
  const indices: number[] = [];
  tokens.forEach((token, index) => {
    if (!separatorPattern.test(token)) indices.push(index);
  });
  return indices;
}

function markTokens(tokens: readonly string[], words: readonly number[], kept: ReadonlySet<number>): DiffToken[] {
  const changedTokens = new Set(words.filter((_, wordIndex) => !kept.has(wordIndex)));
  return tokens.map((text, index) => ({ text, changed: changedTokens.has(index) }));
}

/** Word positions of `a` and of `b` that belong to one longest common subsequence. */
function commonSubsequence(a: readonly string[], b: readonly string[]): [Set<number>, Set<number>] {
  const width = b.length + 1;
  // lengths[i * width + j]: LCS length of a[i..] and b[j..]
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j] ? (lengths[(i + 1) * width + j + 1] as number) + 1 : Math.max(lengths[(i + 1) * width + j] as number, lengths[i * width + j + 1] as number);
    }
  }
  const keptA = new Set<number>();
  const keptB = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      keptA.add(i++);
      keptB.add(j++);
    } else if ((lengths[(i + 1) * width + j] as number) >= (lengths[i * width + j + 1] as number)) {
      i++;
    } else {
      j++;
    }
  }
  return [keptA, keptB];
}

function sharedWords(a: readonly string[], b: readonly string[]): [Set<number>, Set<number>] {
  const inA = new Set(a);
  const inB = new Set(b);
  return [new Set(a.flatMap((word, index) => (inB.has(word) ? [index] : []))), new Set(b.flatMap((word, index) => (inA.has(word) ? [index] : [])))];
}
