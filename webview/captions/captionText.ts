import { addTag, joinTags, moveTag, splitTags } from '../../src/shared/captions/tags';

// Edits of one row's tag chips, computed in the webview and sent as the caption's whole text
// (`captions/caption/save`): each gesture is one save and one undo step.

/** The caption with the tag at `index` replaced by `text`; removed when `text` is blank. Commas in `text` make several tags. */
export function replaceTagAt(caption: string, index: number, text: string): string {
  const tags = splitTags(caption);
  if (index < 0 || index >= tags.length) return caption;
  const replacement = splitTags(text);
  tags.splice(index, 1, ...replacement);
  return joinTags(tags);
}

export function removeTagAt(caption: string, index: number): string {
  return replaceTagAt(caption, index, '');
}

/** The caption with the tag at `from` moved to `to` (clamped); the same text when nothing moves. */
export function moveTagTo(caption: string, from: number, to: number): string {
  const tags = splitTags(caption);
  const moved = moveTag(tags, from, to);
  return moved === tags ? caption : joinTags(moved);
}

/** The caption with `text`'s tags added at the end, those it already has (in any case) skipped. */
export function appendTags(caption: string, text: string): string {
  const tags = splitTags(caption);
  let next: readonly string[] = tags;
  for (const tag of splitTags(text)) next = addTag(next, tag);
  return next === tags ? caption : joinTags(next);
}
