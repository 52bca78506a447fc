/**
 * JSON as Python's `json.dumps` writes it, which puts bare `NaN`, `Infinity` and `-Infinity`
 * where a float is not finite (ComfyUI's `prompt` chunk can hold `"is_changed": [NaN]`).
 * Those become null; anything else that is not JSON still throws a SyntaxError.
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const repaired = withoutNonFiniteNumbers(text);
    if (repaired === text) throw error;
    return JSON.parse(repaired);
  }
}

const nonFinite = /^(?:-?Infinity|NaN)/;

/** Replaces the non-finite literals outside string literals; text inside strings is left alone. */
function withoutNonFiniteNumbers(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      i = endOfString(text, i);
      continue;
    }
    if (char !== 'N' && char !== 'I' && char !== '-') continue;
    const match = nonFinite.exec(text.slice(i, i + 9));
    if (!match) continue;
    out += `${text.slice(copiedUpTo, i)}null`;
    i += match[0].length - 1;
    copiedUpTo = i + 1;
  }
  return out + text.slice(copiedUpTo);
}

/** The index of the quote that closes the string opening at `start` (or the end of the text). */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}
