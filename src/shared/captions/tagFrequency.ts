import { splitTags, tagKey } from './tags';

/** How many captions use a tag. */
export interface TagCount {
  /** The spelling met first, as the captions were given. */
  readonly tag: string;
  readonly count: number;
}

/**
 * Counts, for every tag, the captions that use it — a caption that repeats a tag counts once,
 * so the figure reads "used in N images". Tags that differ only in case are one tag (see
 * `tagKey`). Sorted most used first, then by name, so suggestions are stable from one keystroke
 * to the next. Count once per change of the captions, then `suggestTags` on each keystroke.
 */
export function countTags(captions: Iterable<string>): TagCount[] {
  const counts = new Map<string, { tag: string; count: number }>();
  for (const caption of captions) {
    const seen = new Set<string>();
    for (const tag of splitTags(caption)) {
      const key = tagKey(tag);
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { tag, count: 1 });
    }
  }
  // Code-unit order, not localeCompare: the host and the webview must agree whatever their locale.
  return [...counts.entries()]
    .sort(([keyA, a], [keyB, b]) => b.count - a.count || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0))
    .map(([, entry]) => ({ tag: entry.tag, count: entry.count }));
}

export interface SuggestOptions {
  /** What the person has typed so far; matched case-insensitively against the start of each tag. */
  readonly prefix: string;
  /** At most this many suggestions. */
  readonly limit: number;
  /** Tags not to suggest, such as those the caption already has. */
  readonly exclude?: Iterable<string>;
}

/** The most used tags that start with `prefix`, in the order of `counts`. */
export function suggestTags(counts: readonly TagCount[], options: SuggestOptions): TagCount[] {
  const prefix = tagKey(options.prefix);
  const excluded = new Set<string>();
  for (const tag of options.exclude ?? []) excluded.add(tagKey(tag));
  const suggestions: TagCount[] = [];
  for (const entry of counts) {
    if (suggestions.length >= options.limit) break;
    const key = tagKey(entry.tag);
    if (key.startsWith(prefix) && !excluded.has(key)) suggestions.push(entry);
  }
  return suggestions;
}
