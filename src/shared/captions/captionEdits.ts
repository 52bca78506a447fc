import * as z from 'zod/mini';
import { compileReplace } from './findReplace';
import { addTag, joinTags, moveTag, prependTrigger, removeTag, splitTags } from './tags';

/**
 * Edits of a dataset's captions, as data: the caption panel sends them, the history replays them.
 * Schemas here rather than in the protocol file so the panel's protocol and the code that
 * applies them share one definition.
 */
export const captionEditSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('prependTrigger'), trigger: z.string() }),
  z.object({ kind: z.literal('replace'), find: z.string(), replace: z.string(), regex: z.boolean(), caseSensitive: z.boolean() }),
  /** `position` is an index in the tag list, clamped to it; the end when absent. */
  z.object({ kind: z.literal('addTag'), tag: z.string(), position: z.optional(z.int().check(z.minimum(0))) }),
  z.object({ kind: z.literal('removeTag'), tag: z.string() }),
  /** The caption's whole text, as typed: not normalized. */
  z.object({ kind: z.literal('setCaption'), text: z.string() }),
  z.object({ kind: z.literal('moveTag'), from: z.int().check(z.minimum(0)), to: z.int().check(z.minimum(0)) }),
]);
export type CaptionEdit = z.infer<typeof captionEditSchema>;

/** Which captions a batch touches: every one, or these ids. */
export const captionSelectionSchema = z.union([z.literal('all'), z.array(z.string())]);
export type CaptionSelection = z.infer<typeof captionSelectionSchema>;

export interface CaptionChange {
  readonly before: string;
  readonly after: string;
}
/** Only the captions a batch changed, by id. */
export type CaptionChanges = ReadonlyMap<string, CaptionChange>;

export type CaptionEditResult = { readonly ok: true; readonly changes: Map<string, CaptionChange> } | { readonly ok: false; readonly error: string };

type CaptionTransform = (caption: string) => string;
type CompiledEdit = { readonly ok: true; readonly transform: CaptionTransform } | { readonly ok: false; readonly error: string };

/**
 * Applies `edits`, in order, to the selected captions and returns those whose text changed.
 * Nothing is modified: apply the result with `applyChanges` (and record it in a
 * `CaptionHistory`). Ids in the selection that `captions` lacks are skipped: the caption may have
 * gone since the selection was made. An edit that cannot run (an invalid expression, an empty
 * tag) fails the whole batch, before any caption is looked at.
 *
 * Tag edits rewrite a caption they change in the normal form (`a, b, c`); a caption they leave
 * alone keeps its text exactly, spacing included.
 */
export function applyCaptionEdits(captions: ReadonlyMap<string, string>, edits: readonly CaptionEdit[], selection: CaptionSelection): CaptionEditResult {
  const transforms: CaptionTransform[] = [];
  for (const edit of edits) {
    const compiled = compileEdit(edit);
    if (!compiled.ok) return compiled;
    transforms.push(compiled.transform);
  }
  const changes = new Map<string, CaptionChange>();
  const visit = (id: string, before: string): void => {
    let after = before;
    for (const transform of transforms) after = transform(after);
    if (after !== before) changes.set(id, { before, after });
  };
  if (selection === 'all') {
    for (const [id, caption] of captions) visit(id, caption);
  } else {
    for (const id of new Set(selection)) {
      const caption = captions.get(id);
      if (caption !== undefined) visit(id, caption);
    }
  }
  return { ok: true, changes };
}

/** Writes each change's `after` into `captions`. */
export function applyChanges(captions: Map<string, string>, changes: CaptionChanges): void {
  for (const [id, change] of changes) captions.set(id, change.after);
}

function compileEdit(edit: CaptionEdit): CompiledEdit {
  switch (edit.kind) {
    case 'prependTrigger': {
      const problem = tagProblem(edit.trigger, 'trigger word');
      return problem ? { ok: false, error: problem } : { ok: true, transform: onTags((tags) => prependTrigger(tags, edit.trigger)) };
    }
    case 'addTag': {
      const problem = tagProblem(edit.tag, 'tag');
      return problem ? { ok: false, error: problem } : { ok: true, transform: onTags((tags) => addTag(tags, edit.tag, edit.position)) };
    }
    case 'removeTag': {
      const problem = tagProblem(edit.tag, 'tag');
      return problem ? { ok: false, error: problem } : { ok: true, transform: onTags((tags) => removeTag(tags, edit.tag)) };
    }
    case 'moveTag':
      return { ok: true, transform: onTags((tags) => moveTag(tags, edit.from, edit.to)) };
    case 'setCaption':
      return { ok: true, transform: () => edit.text };
    case 'replace': {
      const compiled = compileReplace(edit.find, edit.replace, edit);
      return compiled.ok ? { ok: true, transform: compiled.replace } : compiled;
    }
  }
}

/** A tag edit as a caption edit: the caption comes back untouched when the tags did not change. */
function onTags(edit: (tags: readonly string[]) => readonly string[]): CaptionTransform {
  return (caption) => {
    const tags = splitTags(caption);
    const edited = edit(tags);
    return edited === tags ? caption : joinTags(edited);
  };
}

/** A tag with a comma would become two tags the next time the caption is read. */
function tagProblem(tag: string, what: string): string | undefined {
  if (tag.trim() === '') return `The ${what} is empty.`;
  if (tag.includes(',')) return `A ${what} cannot contain a comma: "${tag}" would become several tags.`;
  return undefined;
}
