/**
 * A dataset caption is a comma-separated list of tags, `trigger, framing, pose/action, background`
 * (product.md). sd-scripts splits captions at the same commas for `shuffle_caption` and
 * `keep_tokens`, so the tag is the unit every tag edit works on.
 *
 * Tag edits return the very same array when they change nothing, so a caller can tell "no change"
 * without comparing texts, and a caption nobody touched keeps its own spacing.
 */

/** How tags are joined back: the spacing every caption gets once a tag edit rewrites it. */
export const tagSeparator = ', ';

/** The tags of a caption: split at commas, trimmed, empty ones dropped. */
export function splitTags(caption: string): string[] {
  const tags: string[] = [];
  for (const part of caption.split(',')) {
    const tag = part.trim();
    if (tag !== '') tags.push(tag);
  }
  return tags;
}

export function joinTags(tags: readonly string[]): string {
  return tags.join(tagSeparator);
}

/** `a ,b,, c` → `a, b, c`. */
export function normalizeCaption(caption: string): string {
  return joinTags(splitTags(caption));
}

/**
 * The form two tags are compared in. Case is ignored: "Red hair" and "red hair" are one tag to the
 * trainer, whose CLIP tokenizer lowercases everything.
 */
export function tagKey(tag: string): string {
  return tag.trim().toLowerCase();
}

export function hasTag(tags: readonly string[], tag: string): boolean {
  const key = tagKey(tag);
  return tags.some((candidate) => tagKey(candidate) === key);
}

/**
 * Inserts `tag` at `position` (clamped to the list; at the end when absent). A tag already there,
 * in any case, is not added again, wherever it stands.
 */
export function addTag(tags: readonly string[], tag: string, position?: number): readonly string[] {
  const trimmed = tag.trim();
  if (trimmed === '' || hasTag(tags, trimmed)) return tags;
  const at = position === undefined ? tags.length : clamp(position, 0, tags.length);
  return [...tags.slice(0, at), trimmed, ...tags.slice(at)];
}

/** Removes every occurrence of `tag`, in any case. */
export function removeTag(tags: readonly string[], tag: string): readonly string[] {
  const key = tagKey(tag);
  const kept = tags.filter((candidate) => tagKey(candidate) !== key);
  return kept.length === tags.length ? tags : kept;
}

/**
 * Moves the tag at `from` so that it ends up at `to`. `to` is clamped to the list, so a large
 * `to` means "last"; a `from` the caption does not have changes nothing (batches move the same
 * index in captions of different lengths).
 */
export function moveTag(tags: readonly string[], from: number, to: number): readonly string[] {
  if (!Number.isInteger(from) || from < 0 || from >= tags.length) return tags;
  const target = clamp(Math.trunc(to), 0, tags.length - 1);
  if (target === from) return tags;
  const moved = [...tags];
  const [tag] = moved.splice(from, 1);
  moved.splice(target, 0, tag!);
  return moved;
}

/**
 * Makes `trigger` the first tag. When the caption already has it elsewhere (in any case) it is
 * moved first rather than left where it is: sd-scripts' `keep_tokens` keeps only the first tags
 * in place when it shuffles, so a trigger word anywhere else is shuffled like any other tag.
 * Other copies are removed and the trigger takes the spelling given here (the dataset's own).
 */
export function prependTrigger(tags: readonly string[], trigger: string): readonly string[] {
  const trimmed = trigger.trim();
  if (trimmed === '') return tags;
  const withoutTrigger = removeTag(tags, trimmed);
  const alreadyFirst = tags[0] === trimmed && withoutTrigger.length === tags.length - 1;
  return alreadyFirst ? tags : [trimmed, ...withoutTrigger];
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
