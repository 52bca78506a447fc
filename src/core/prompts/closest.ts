/** How many single-character edits turn `a` into `b`, ignoring case: names are typed by hand. */
export function levenshtein(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  if (left === right) return 0;
  if (left.length === 0) return right.length;
  if (right.length === 0) return left.length;
  // One row at a time: names are short, but lists of checkpoints can be long.
  let previous = Array.from({ length: right.length + 1 }, (_, i) => i);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = previous[j - 1]! + (left.charCodeAt(i - 1) === right.charCodeAt(j - 1) ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length]!;
}

export interface ClosestName {
  readonly name: string;
  readonly distance: number;
  /** Close enough to be a typo of it, so a quick fix can offer it. */
  readonly likely: boolean;
}

/** The candidate nearest to `name` (the first one on a tie), or undefined when there are none. */
export function closestName(name: string, candidates: Iterable<string>): ClosestName | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = levenshtein(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
    if (distance === 0) break;
  }
  if (!best) return undefined;
  // A third of the longer name, at least two edits: `eular` → `euler`, but not `heun` → `ddim`.
  const likely = best.distance <= Math.max(2, Math.floor(Math.max(name.length, best.name.length) / 3));
  return { ...best, likely };
}
