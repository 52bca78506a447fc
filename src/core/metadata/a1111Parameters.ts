/**
 * The `parameters` infotext of Automatic1111 and Forge: the prompt, an optional
 * `Negative prompt:` part, and a last line of `Key: value` settings.
 */
import type { ImageParameters } from './imageParameters';

export interface A1111Infotext {
  readonly prompt: string;
  /** Undefined when the text has no `Negative prompt:` line. */
  readonly negative: string | undefined;
  /**
   * The settings in the order written, quoted values unquoted. A key written twice keeps its
   * first place and its last value (A1111 fills a dict). `WxH` values stay whole: A1111 splits
   * them into `Key-1`/`Key-2` for its paste form, a viewer shows them as written.
   */
  readonly settings: ReadonlyArray<{ readonly key: string; readonly value: string }>;
}

/** A1111's `re_param`: a key of word characters, spaces, `-` or `/`; a quoted JSON string or text up to a comma. */
const settingPattern = /\s*([\p{L}\p{N}_][\p{L}\p{N}_ \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/gu;
const negativeMarker = 'Negative prompt:';

/** Parses infotext as A1111's `parse_generation_parameters` does. */
export function parseA1111Infotext(infotext: string): A1111Infotext {
  const lines = infotext.replace(/\r\n?/g, '\n').trim().split('\n');
  let settingsLine = lines.pop() ?? '';
  // A last line with fewer than three settings is prose: it belongs to the prompt or negative.
  if (settingMatches(settingsLine).length < 3) {
    lines.push(settingsLine);
    settingsLine = '';
  }
  let prompt = '';
  let negative: string | undefined;
  for (const raw of lines) {
    let line = raw.trim();
    if (line.startsWith(negativeMarker)) {
      negative ??= '';
      line = line.slice(negativeMarker.length).trim();
    }
    if (negative === undefined) prompt = appendLine(prompt, line);
    else negative = appendLine(negative, line);
  }
  const settings = new Map<string, string>();
  for (const [, key, value] of settingMatches(settingsLine)) settings.set(key!, unquote(value!));
  return {
    prompt,
    negative,
    settings: [...settings].map(([key, value]) => ({ key, value })),
  };
}

/** The infotext as generation parameters: the usual settings in their fields, every other one in `extra`. */
export function a1111Parameters(infotext: string): Omit<ImageParameters, 'source'> {
  const parsed = parseA1111Infotext(infotext);
  const settings = new Map(parsed.settings.map(({ key, value }) => [key, value]));
  const used = new Set<string>();
  const take = <T>(key: string, convert: (value: string) => T | undefined): T | undefined => {
    const raw = settings.get(key);
    const value = raw === undefined ? undefined : convert(raw);
    if (value !== undefined) used.add(key);
    return value;
  };
  const size = take('Size', sizeOf);
  return {
    prompt: parsed.prompt,
    negative: parsed.negative,
    seed: take('Seed', numberOf),
    steps: take('Steps', numberOf),
    cfg: take('CFG scale', numberOf),
    sampler: take('Sampler', textOf),
    scheduler: take('Schedule type', textOf),
    width: size?.width,
    height: size?.height,
    checkpoint: take('Model', textOf),
    loras: lorasOf(settings.get('Lora hashes'), parsed.prompt),
    extra: parsed.settings.filter(({ key }) => !used.has(key)).map(({ key, value }) => ({ key: extraKey(key), label: key, value })),
  };
}

/** A1111 adds a newline only once the text is not empty, so empty leading lines vanish. */
function appendLine(text: string, line: string): string {
  return text === '' ? line : `${text}\n${line}`;
}

function settingMatches(line: string): RegExpExecArray[] {
  return [...line.matchAll(settingPattern)];
}

function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  try {
    const unquoted: unknown = JSON.parse(value);
    return typeof unquoted === 'string' ? unquoted : value;
  } catch {
    return value;
  }
}

function numberOf(value: string): number | undefined {
  const number = value.trim() === '' ? Number.NaN : Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function textOf(value: string): string | undefined {
  return value === '' ? undefined : value;
}

function sizeOf(value: string): { width: number; height: number } | undefined {
  const match = /^(\d+)x(\d+)$/.exec(value);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

/**
 * LoRAs named in `Lora hashes` (`name: hash, …`), then any other `<lora:name:weight>` tag of the
 * prompt. The strength is not a setting in A1111: it is the weight of the prompt's tag.
 */
function lorasOf(hashes: string | undefined, prompt: string): Array<{ name: string; strength: number | undefined }> {
  const weights = new Map<string, number | undefined>();
  for (const [, name, weight] of prompt.matchAll(/<lora:([^:>]+)(?::([^:>]+))?[^>]*>/g)) weights.set(name!, weight === undefined ? undefined : numberOf(weight));
  const names = (hashes ?? '')
    .split(',')
    .map((pair) => pair.slice(0, pair.lastIndexOf(':') < 0 ? pair.length : pair.lastIndexOf(':')).trim())
    .filter((name) => name !== '');
  for (const name of weights.keys()) if (!names.includes(name)) names.push(name);
  return names.map((name) => ({ name, strength: weights.get(name) }));
}

/** A stable key for an A1111 setting: its words in camelCase ("Model hash" → modelHash); its denoise under the common key. */
function extraKey(label: string): string {
  if (label === 'Denoising strength') return 'denoise';
  const words = label.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return words.map((word, i) => (i === 0 ? word.toLowerCase() : word[0]!.toUpperCase() + word.slice(1).toLowerCase())).join('');
}
