import { checkHardware } from '../generation/request';
import type { Severity, TextRange } from '../model/problem';
import type { HardwareLimits } from '../settings/hardware';
import { errorMessage } from '../util/errors';
import { closestName } from './closest';
import type { ParamRanges, ParsedPromptFile } from './parsedPromptFile';
import type { PromptContext, PromptDiagnostic } from './promptDiagnostic';
import { formatSize, type PromptParams, type PromptSize } from './promptParams';
import { loraFileName } from '../generation/resolveRequest';

/** A verdict on one value, the same wherever the value is written. */
interface Finding {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly replacement?: { readonly title: string; readonly text: string } | undefined;
}

type CheckedKey = 'character' | 'size' | 'sampler' | 'scheduler' | 'checkpoint' | 'lora' | 'template';
const checkedKeys: readonly CheckedKey[] = ['character', 'size', 'sampler', 'scheduler', 'checkpoint', 'lora', 'template'];

/**
 * The parse's problems plus those that need the studio and the engine: an unknown character,
 * a size over the hardware profile, a sampler, scheduler, checkpoint, LoRA or template that is
 * not there. A value is reported where it is written, once: a page default on its front-matter
 * line, not again in every panel that inherits it. Pure; sorted by position.
 */
export function diagnosePromptFile(parsed: ParsedPromptFile, context: PromptContext): PromptDiagnostic[] {
  const diagnostics: PromptDiagnostic[] = [...parsed.problems];
  const judge = judgeWith(context);
  const report = (params: PromptParams, ranges: ParamRanges, fromLine: number): void => {
    for (const key of checkedKeys) {
      const value = params[key];
      const range = ranges[key];
      // Inherited values were reported with the page's defaults.
      if (value === undefined || !range || range.startLine < fromLine) continue;
      const finding = judge(key, value);
      if (finding) diagnostics.push(toDiagnostic(parsed.file, range, finding));
    }
  };
  report(parsed.defaults, parsed.defaultRanges, 0);
  for (const panel of parsed.panels) report(panel.params, panel.paramRanges, panel.range.startLine);
  return diagnostics.sort((a, b) => a.range.startLine - b.range.startLine || a.range.startColumn - b.range.startColumn);
}

function toDiagnostic(file: string, range: TextRange, finding: Finding): PromptDiagnostic {
  const { replacement, ...problem } = finding;
  // A fix edits one line; a YAML value over several lines gets the message only.
  const fix =
    replacement && range.startLine === range.endLine
      ? { kind: 'replace' as const, title: replacement.title, line: range.startLine, startColumn: range.startColumn, endColumn: range.endColumn, text: replacement.text }
      : undefined;
  return { file, range, ...problem, ...(fix ? { fix } : {}) };
}

/** Judges values against the context, remembering verdicts: 500 panels often repeat one name. */
function judgeWith(context: PromptContext): (key: CheckedKey, value: string | PromptSize) => Finding | undefined {
  const lists = {
    sampler: asSet(context.samplers),
    scheduler: asSet(context.schedulers),
    checkpoint: asSet(context.checkpoints),
    lora: asSet(context.loras),
    template: asSet(context.templates),
  };
  const seen = new Map<string, Finding | undefined>();
  return (key, value) => {
    const memo = `${key}\u0000${typeof value === 'string' ? value : formatSize(value)}`;
    if (seen.has(memo)) return seen.get(memo);
    let finding: Finding | undefined;
    if (key === 'size') finding = typeof value === 'string' ? undefined : judgeSize(value, context.hardware);
    else if (typeof value !== 'string') finding = undefined;
    else if (key === 'character') finding = judgeCharacter(value, context.characters);
    else finding = judgeName(key, value, lists[key]);
    seen.set(memo, finding);
    return finding;
  };
}

function asSet(list: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return list === undefined ? undefined : new Set(list);
}

function judgeCharacter(id: string, characters: ReadonlySet<string>): Finding | undefined {
  if (characters.has(id)) return undefined;
  const closest = closestName(id, characters);
  const hint = !closest
    ? 'The studio has no characters yet: add one with "StudioNOVA: New Character".'
    : closest.likely
      ? `Did you mean "${closest.name}"?`
      : `The closest id is "${closest.name}".`;
  return { severity: 'error', code: 'prompt.unknown-character', message: `character: no character "${id}" in this studio. ${hint}` };
}

/** checkHardware's rule, so the editor refuses exactly what Generate would refuse. */
function judgeSize(size: PromptSize, hardware: { readonly limits: HardwareLimits; readonly label: string }): Finding | undefined {
  try {
    checkHardware(size, hardware.limits, hardware.label);
    return undefined;
  } catch (error) {
    const clamped = clampSize(size, hardware.limits);
    return {
      severity: 'error',
      code: 'prompt.size-over-hardware',
      message: `size: ${errorMessage(error)}`,
      replacement: { title: `Clamp to ${formatSize(clamped)}`, text: formatSize(clamped) },
    };
  }
}

/** The largest size within the limit that keeps the panel's orientation, in multiples of 8. */
export function clampSize(size: PromptSize, limits: Pick<HardwareLimits, 'maxWidth' | 'maxHeight'>): PromptSize {
  const long = Math.max(limits.maxWidth, limits.maxHeight);
  const short = Math.min(limits.maxWidth, limits.maxHeight);
  const [maxWidth, maxHeight] = size.width <= size.height ? [short, long] : [long, short];
  const fit = (side: number, max: number): number => Math.max(64, Math.floor(Math.min(side, max) / 8) * 8);
  return { width: fit(size.width, maxWidth), height: fit(size.height, maxHeight) };
}

const nameLabels = {
  sampler: 'ComfyUI has no sampler',
  scheduler: 'ComfyUI has no scheduler',
  checkpoint: 'ComfyUI has no checkpoint',
  lora: 'ComfyUI has no LoRA',
  template: 'there is no workflow template',
} as const;

function judgeName(key: keyof typeof nameLabels, name: string, known: ReadonlySet<string> | undefined): Finding | undefined {
  if (!known || known.has(name)) return undefined;
  // A LoRA named without its extension reaches ComfyUI with it (resolveRequest adds it).
  if (key === 'lora' && known.has(loraFileName(name))) return undefined;
  const code = `prompt.unknown-${key}`;
  const closest = closestName(stem(name), [...known].map(stem));
  if (!closest) return { severity: 'error', code, message: `${key}: ${nameLabels[key]} "${name}", and none at all: is it installed?` };
  const suggestion = [...known].find((candidate) => stem(candidate) === closest.name) ?? closest.name;
  const message = `${key}: ${nameLabels[key]} "${name}". ${closest.likely ? `Did you mean "${suggestion}"?` : `The closest is "${suggestion}".`}`;
  // Sampler and scheduler names are a short fixed list, so the closest is the one meant; a
  // checkpoint or LoRA is only swapped when it is the same file written another way.
  const obvious = key === 'sampler' || key === 'scheduler' || key === 'template' ? closest.likely : closest.distance === 0;
  return { severity: 'error', code, message, replacement: obvious ? { title: `Change to ${suggestion}`, text: suggestion } : undefined };
}

/** `loras/spyke_v1.safetensors` → `spyke_v1`: how a person names a model file. */
function stem(name: string): string {
  return name.replace(/^.*[\\/]/, '').replace(/\.(safetensors|ckpt|pt|bin|pth)$/i, '');
}
