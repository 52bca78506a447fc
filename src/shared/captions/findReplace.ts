/**
 * Find and replace over caption text, compiled once per batch so that two thousand captions cost
 * two thousand `String.replace` calls and not two thousand `RegExp` constructions.
 *
 * Replacement works on the caption's text, not on its tags: it changes exactly what matched and
 * nothing else, so replacing a tag with nothing leaves its comma behind (`a, , b`). Removing a
 * tag is the `removeTag` edit's job.
 */

export interface FindOptions {
  /** The search text is a JavaScript regular expression, and `$1`, `$<name>`, `$&` work in the replacement. */
  readonly regex: boolean;
  readonly caseSensitive: boolean;
}

/** Replaces every match in one caption; returns the same string when nothing matched. */
export type CaptionReplacer = (caption: string) => string;

export type CompiledReplace = { readonly ok: true; readonly replace: CaptionReplacer } | { readonly ok: false; readonly error: string };

/**
 * Prepares a find-and-replace. Never throws: an empty search or an invalid expression comes back
 * as `{ ok: false, error }` worded for the person who typed it.
 *
 * Flags: always `g` (every occurrence) and `u` (as VS Code's own find widget: `.` is a whole
 * character, `\p{…}` works, and sloppy escapes such as `\_` are reported instead of guessed);
 * `i` unless case-sensitive.
 */
export function compileReplace(find: string, replacement: string, options: FindOptions): CompiledReplace {
  if (find === '') return { ok: false, error: 'Type something to find.' };
  const flags = options.caseSensitive ? 'gu' : 'giu';
  if (!options.regex) {
    const pattern = new RegExp(escapeRegExp(find), flags);
    // A function replacement is taken literally: a plain `$1` or `$&` typed by the user stays as typed.
    const literal = (): string => replacement;
    return { ok: true, replace: (caption) => caption.replace(pattern, literal) };
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(find, flags);
  } catch (error) {
    return { ok: false, error: `Not a valid regular expression: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { ok: true, replace: (caption) => caption.replace(pattern, replacement) };
}

/** The text as a pattern that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
