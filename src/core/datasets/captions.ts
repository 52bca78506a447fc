/**
 * The caption sd-scripts trains on: the first line of the `.txt` file, trimmed (it reads no
 * further), without a byte-order mark that some editors on Windows add.
 */
export function captionLine(text: string): string {
  const withoutBom = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return withoutBom.split(/\r?\n/, 1)[0]!.trim();
}

/** What may stand right before a word: start, space, comma, semicolon, bracket or quote. */
const before = String.raw`(?:^|[\s,;()[\]{}"'])`;
/** What may stand right after it: the same, or `:` (as in `(spyke:1.2)`) or sentence punctuation. */
const after = String.raw`(?=$|[\s,;:.!?()[\]{}"'])`;

/**
 * Whether a caption calls the trigger word: as a whole word, in any case (CLIP's tokenizer lower-
 * cases the text anyway). So `spyke_v1, full body` and `photo of Spyke_v1.` call `spyke_v1`, as
 * does a tag that is the word alone; `spyke_v1s` and `spyke_v1-2` are other words and do not.
 */
export function captionHasTrigger(caption: string, trigger: string): boolean {
  if (trigger === '') return false;
  const escaped = trigger.replace(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`);
  return new RegExp(`${before}${escaped}${after}`, 'i').test(caption);
}
