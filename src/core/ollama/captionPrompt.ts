/**
 * The prompt that asks a vision model for a dataset caption, and the clean-up of its answer
 * into the caption format of product.md: `trigger, framing, pose/action, background`.
 */

/** What a caption prompt can refer to as `{trigger}`, `{class}` and `{existing}`. */
export interface CaptionVariables {
  /** The character's trigger word, e.g. `spyke`. */
  readonly trigger: string;
  /** The class word the LoRA trains against, e.g. `woman`, `man`, `character`. */
  readonly class: string;
  /** The image's current caption (its .txt file), or '' when it has none. */
  readonly existing: string;
}

export interface FilledPrompt {
  readonly text: string;
  /** `{names}` the template uses that are not variables; they are left in the text as they are. */
  readonly unknownVariables: readonly string[];
}

/**
 * Small local models follow a short, concrete list and an example better than prose. What never
 * changes between the images (face, hair, usual outfit) is left out on purpose: whatever the
 * captions do not name is what the trigger word learns.
 */
export const defaultCaptionTemplate = [
  'You write training captions for a LoRA of {trigger}, a {class}.',
  'Look at the image and answer with one line of comma-separated tags in this order:',
  '{trigger}, framing, pose or action, background',
  '- framing: close-up, portrait, upper body, cowboy shot or full body, and the camera angle if it is unusual',
  '- pose or action: what {trigger} is doing, in a few words',
  '- background: where it happens, or "simple background"',
  'Leave out what never changes for {trigger} (face, hair, eye colour, usual outfit): the trigger word stands for it.',
  'Write no sentences, no explanations and no quotes.',
  'Example: {trigger}, upper body, arms crossed, city street at night',
  'The current caption, to correct rather than to start again: {existing}',
].join('\n');

const variablePattern = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const knownVariables: ReadonlySet<string> = new Set(['trigger', 'class', 'existing']);

/**
 * Fills `{trigger}`, `{class}` and `{existing}`. A line whose variables all come out empty is
 * dropped, so `Current caption: {existing}` disappears for an image without one instead of
 * asking the model about nothing. Unknown `{names}` stay as written and are reported, so a
 * typo in a user's template can be shown rather than silently sent.
 */
export function fillCaptionTemplate(template: string, variables: CaptionVariables): FilledPrompt {
  const unknown: string[] = [];
  const values: Readonly<Record<string, string>> = { trigger: variables.trigger, class: variables.class, existing: oneLine(variables.existing) };
  const lines: string[] = [];
  for (const line of template.split('\n')) {
    const used = [...line.matchAll(variablePattern)].map((m) => m[1] ?? '');
    for (const name of used) if (!knownVariables.has(name) && !unknown.includes(name)) unknown.push(name);
    const known = used.filter((name) => knownVariables.has(name));
    if (known.length > 0 && known.every((name) => values[name] === '')) continue;
    lines.push(line.replace(variablePattern, (whole, name: string) => (knownVariables.has(name) ? (values[name] ?? '') : whole)));
  }
  return { text: lines.join('\n'), unknownVariables: unknown };
}

/** Labels a model may put before a tag or before the whole answer. */
const labelPattern =
  /^(?:(?:here(?: is|'s) (?:the |a |my )?)?(?:caption|tags|answer|output)|trigger(?: word)?|framing|pose(?:\s*(?:\/|or|and)\s*action)?|action|background)\s*:\s*/i;
/** Openings that describe the picture rather than tag it. */
const preamblePattern = /^(?:(?:the|this) (?:image|picture|photo|illustration) (?:shows|depicts|features)|in (?:the|this) (?:image|picture),?)\s+/i;
const bulletPattern = /^(?:[-*•]|\d+[.)])\s+/;

/**
 * Turns a model's answer into one caption line: comma-separated tags, starting with the trigger
 * word exactly once. Thinking blocks, code fences, bullets, labels (`Framing:`), quotes and
 * final full stops are removed; a line that only introduces the answer (`Here is the
 * caption:`) is dropped; the trigger word is taken out wherever the model repeated it; repeated
 * tags are kept once.
 */
export function cleanCaption(answer: string, trigger: string): string {
  const text = answer.replace(/<think>[\s\S]*?<\/think>/gi, '').replace(/^[\s\S]*<\/think>/i, '');
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('```'))
    .map((line) => line.replace(bulletPattern, ''))
    .filter((line) => !(line.endsWith(':') && !line.includes(',')));
  const tags: string[] = [];
  const seen = new Set<string>();
  for (const part of lines.join(', ').split(/[,;]/)) {
    const tag = cleanTag(part, trigger);
    const key = tag.toLowerCase();
    if (tag === '' || seen.has(key)) continue;
    seen.add(key);
    tags.push(tag);
  }
  const head = trigger.trim();
  return (head ? [head, ...tags] : tags).join(', ');
}

function cleanTag(part: string, trigger: string): string {
  let tag = part.trim().replace(labelPattern, '').replace(preamblePattern, '');
  // The trigger goes first, so that one ending in a full stop is still recognised.
  if (trigger.trim()) tag = tag.replace(wholeWord(trigger.trim()), ' ');
  tag = tag.replace(/\s+/g, ' ').trim().replace(/^["'`*_]+|["'`*_]+$/g, '').replace(/[.!]+$/, '');
  return tag.replace(/^and\s+/i, '').replace(/^["'`*_]+|["'`*_]+$/g, '').trim();
}

function wholeWord(word: string): RegExp {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'giu');
}

/** A caption file may hold several lines; the prompt wants the caption inline. */
function oneLine(text: string): string {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).join(', ');
}
