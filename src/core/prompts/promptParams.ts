import * as z from 'zod/mini';
import type { Problem, TextRange } from '../model/problem';
import { validate } from '../text/validate';
import { closestName } from './closest';

/** The parameters a page's front matter or a panel can set, spelled as they are typed. */
export const promptParamKeys = [
  'chapter',
  'page',
  'character',
  'size',
  'steps',
  'cfg',
  'sampler',
  'scheduler',
  'checkpoint',
  'lora',
  'lora_strength',
  'template',
  'negative',
  'seed',
  'count',
] as const;

export type PromptParamKey = (typeof promptParamKeys)[number];

export interface PromptSize {
  readonly width: number;
  readonly height: number;
}

/** Seeds stay below 2^48, as seedsFor requires: exact in JavaScript numbers and in ComfyUI's range. */
export const seedLimit = 2 ** 48;

// Every value reaches a schema as trimmed, non-empty text: a panel line is text, and YAML
// scalars are turned into text first, so `steps: 24` and `steps: "24"` mean the same.
const numberText = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const sizeText = /^(\d{1,9})\s*[x×]\s*(\d{1,9})$/i;

const number = z.pipe(z.string().check(z.regex(numberText, 'must be a number')), z.transform(Number));
const numberIn = (min: number, max: number): z.ZodMiniType<number> =>
  z.pipe(number, z.number().check(z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`)));
const wholeNumberIn = (min: number, max: number): z.ZodMiniType<number> =>
  z.pipe(number, z.int('must be a whole number').check(z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`)));
const dimension = z.int('must be a whole number').check(z.gte(64, 'must be at least 64'), z.lte(8192, 'must be at most 8192'), z.multipleOf(8, 'must be a multiple of 8'));
const size: z.ZodMiniType<PromptSize> = z.pipe(
  z.pipe(
    z.string().check(z.regex(sizeText, 'must be WIDTHxHEIGHT')),
    z.transform((text) => {
      const [, width, height] = sizeText.exec(text)!;
      return { width: Number(width), height: Number(height) };
    }),
  ),
  z.object({ width: dimension, height: dimension }),
);
const oneWord = z.string().check(z.regex(/^\S+$/, 'must be one word without spaces'));
const anyText = z.string();

const paramSchemas = {
  chapter: wholeNumberIn(1, 9999),
  page: wholeNumberIn(1, 9999),
  character: oneWord,
  size,
  steps: wholeNumberIn(1, 200),
  cfg: numberIn(0, 30),
  sampler: oneWord,
  scheduler: oneWord,
  checkpoint: anyText,
  lora: anyText,
  lora_strength: numberIn(-10, 10),
  template: oneWord,
  negative: anyText,
  seed: z.pipe(number, z.int('must be a whole number').check(z.gte(0, 'must be at least 0'), z.lt(seedLimit, `must be below ${seedLimit}`))),
  count: wholeNumberIn(1, 64),
} satisfies Record<PromptParamKey, z.ZodMiniType>;

/** Validated parameters; a key is absent when it is not set (or its value is wrong). */
export type PromptParams = { readonly [K in PromptParamKey]?: z.output<(typeof paramSchemas)[K]> };

/** What each value looks like, said after every problem with it. */
export const paramHints: Readonly<Record<PromptParamKey, string>> = {
  chapter: 'chapter is the chapter number, e.g. 1',
  page: 'page is the page number, e.g. 1',
  character: 'character is the id of a character in characters/, e.g. spyke',
  size: 'size is WIDTHxHEIGHT, e.g. 512x768: each side a multiple of 8 from 64 to 8192',
  steps: 'steps is a whole number from 1 to 200, e.g. 24',
  cfg: 'cfg is a number from 0 to 30, e.g. 7',
  sampler: 'sampler is a ComfyUI sampler name, e.g. euler_ancestral',
  scheduler: 'scheduler is a ComfyUI scheduler name, e.g. normal',
  checkpoint: 'checkpoint is a checkpoint file name as ComfyUI lists it, e.g. v1-5-pruned-emaonly.safetensors',
  lora: 'lora is a LoRA file name as ComfyUI lists it, e.g. spyke_plasma_v1.safetensors',
  lora_strength: 'lora_strength is a number from -10 to 10, e.g. 0.8',
  template: 'template is a workflow name, e.g. txt2img-lora',
  negative: 'negative is the negative prompt, e.g. lowres, bad hands',
  seed: `seed is a whole number from 0 to ${seedLimit - 1}, e.g. 1234`,
  count: 'count is how many images one Generate makes, from 1 to 64',
};

const knownKeys: ReadonlySet<string> = new Set(promptParamKeys);

/** Keys are case-insensitive and `-` may stand for `_`: `Lora-Strength` is `lora_strength`. */
export function paramKeyOf(key: string): PromptParamKey | undefined {
  const normalized = key.toLowerCase().replaceAll('-', '_');
  return knownKeys.has(normalized) ? (normalized as PromptParamKey) : undefined;
}

/** Names people bring from other tools, and what to write here instead. */
const otherToolKeys: Readonly<Record<string, string>> = {
  width: 'size: WIDTHxHEIGHT',
  height: 'size: WIDTHxHEIGHT',
  resolution: 'size: WIDTHxHEIGHT',
  negative_prompt: 'negative:',
  model: 'checkpoint:',
  ckpt: 'checkpoint:',
  cfg_scale: 'cfg:',
  batch: 'count:',
  batch_size: 'count:',
};

/**
 * What someone probably meant by an unknown key, ready to show (`sampeler` → `sampler:`,
 * `width` → `size: WIDTHxHEIGHT`), or undefined when it looks like a word of its own.
 */
export function meantParamKey(key: string): string | undefined {
  const normalized = key.toLowerCase().replaceAll('-', '_');
  if (knownKeys.has(normalized)) return undefined;
  const other = otherToolKeys[normalized];
  if (other) return other;
  const closest = closestName(normalized, promptParamKeys);
  if (!closest) return undefined;
  // Short words are two edits from a key all too often (`panel` → `page`, `place` → `page`), and
  // a panel may well start with "panel:": only one edit counts for them.
  return closest.distance <= (normalized.length <= 5 ? 1 : 2) ? `${closest.name}:` : undefined;
}

/** A raw value as text: undefined for an empty value (the key is cleared), null for a list or mapping. */
export function valueText(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return null;
}

export type ParamCheck<K extends PromptParamKey> =
  | { readonly ok: true; readonly value: NonNullable<PromptParams[K]> }
  | { readonly ok: false; readonly problems: Problem[] };

/**
 * Validates one value, written at `range` of `file`. A problem names the key, the value, what
 * is wrong and what a right value looks like:
 * `steps: 300 — must be at most 200. steps is a whole number from 1 to 200, e.g. 24.`
 */
export function checkParam<K extends PromptParamKey>(key: K, text: string, file: string, range: TextRange): ParamCheck<K> {
  const schema = paramSchemas[key] as z.ZodMiniType<NonNullable<PromptParams[K]>>;
  const checked = validate(schema, text, { file, locate: () => range }, 'prompt.invalid-value');
  if (checked.value !== undefined) return { ok: true, value: checked.value };
  const shown = text.length > 40 ? `${text.slice(0, 39)}…` : text;
  const problems = checked.problems.map((problem) => ({ ...problem, message: `${key}: ${shown} — ${problem.message}. ${paramHints[key]}.` }));
  return { ok: false, problems };
}

/** `512x768`: sizes are written back the way the format reads them. */
export function formatSize(size: PromptSize): string {
  return `${size.width}x${size.height}`;
}
