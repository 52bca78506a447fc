/**
 * Turning a reference image into a prompt draft: what the vision model is asked, and how its
 * answer becomes one line of comma-separated tags a page file's panel can take as it is.
 */
export const promptDraftInstruction = [
  'Describe this image as a prompt for an image generator.',
  'Answer with one line of comma-separated tags and short phrases, in this order:',
  'subject, appearance and clothing, pose or action, framing and camera angle, background, lighting, art style.',
  'No sentences, no numbering, no quotes, nothing before or after the prompt.',
].join('\n');

/** One line: the model's answer without a leading "Prompt:", quotes, list marks or line breaks. */
export function cleanPromptDraft(answer: string): string {
  return answer
    .replace(/^\s*(here is|here's)[^:\n]*:\s*/i, '')
    .replace(/^\s*prompt\s*:\s*/i, '')
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
    .filter((line) => line.length > 0)
    .join(', ')
    .replace(/^["'`]+|["'`]+$/g, '')
    .replace(/\s*,\s*(,\s*)*/g, ', ')
    .replace(/,\s*$/, '')
    .trim();
}
