import en from 'zod/v4/locales/en.js';
import * as z from 'zod/mini';
import type { Problem, Severity, TextRange } from '../model/problem';
import type { PropertyPath } from './frontMatter';

// Only the English messages: `z.locales` would bundle every language zod has.
z.config(en());

export type Validation<T> = { readonly value: T; readonly problems: Problem[] } | { readonly value: undefined; readonly problems: Problem[] };

/**
 * Validates parsed data against a schema and reports each issue at the line of the property it
 * is about, e.g. `steps: Too small: expected number to be >=1` on the `steps:` line.
 */
export function validate<T>(
  schema: z.ZodMiniType<T>,
  data: unknown,
  where: { readonly file: string; locate(path: PropertyPath): TextRange },
  code: string,
  severity: Severity = 'error',
): Validation<T> {
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data, problems: [] };
  const problems = result.error.issues.map((issue): Problem => {
    const name = issue.path.map(String).join('.');
    const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
    return {
      file: where.file,
      range: where.locate(issue.path),
      severity,
      code,
      message: missing ? `"${name}" is missing: add a line "${name}: …".` : name ? `${name}: ${issue.message}` : issue.message,
    };
  });
  return { value: undefined, problems };
}
