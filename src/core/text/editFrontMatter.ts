import { parseDocument } from 'yaml';
import { InvalidInputError } from '../util/errors';

const fence = /^---\s*$/;

/**
 * Sets one top-level field of a markdown file's YAML front matter and returns the new text. The
 * rest of the file — other fields, their order, comments, the body — stays as the person wrote it.
 */
export function setFrontMatterField(text: string, file: string, key: string, value: string): string {
  const lines = text.split('\n');
  const closing = fence.test((lines[0] ?? '').replace(/^\uFEFF/, '')) ? lines.findIndex((line, i) => i > 0 && fence.test(line)) : -1;
  if (closing < 0) throw new InvalidInputError(`${file} has no front matter between two "---" lines; add it, then try again.`);
  const document = parseDocument(lines.slice(1, closing).join('\n'));
  if (document.errors.length > 0) throw new InvalidInputError(`${file}'s front matter is not valid YAML; fix it, then try again.`);
  document.set(key, value);
  const yaml = document.toString().replace(/\n$/, '');
  return [lines[0]!, ...yaml.split('\n'), ...lines.slice(closing)].join('\n');
}
