import type { Character, StudioConfig } from '../model/studio';
import type { HardwareLimits } from '../settings/hardware';
import { checkHardware, type GenerationRequest, type OutputTarget, seedsFor } from './request';

/** What a person asks for; anything left out comes from the character and the studio's defaults. */
export interface GenerateInput {
  readonly prompt: string;
  readonly negative?: string | undefined;
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  readonly steps?: number | undefined;
  readonly cfg?: number | undefined;
  readonly sampler?: string | undefined;
  readonly scheduler?: string | undefined;
  readonly checkpoint?: string | undefined;
  readonly template?: string | undefined;
  readonly seed?: number | undefined;
  readonly count?: number | undefined;
  readonly target?: OutputTarget | undefined;
  /** A LoRA in place of the character's (a panel's `lora:`); also without a character. */
  readonly lora?: string | undefined;
  readonly loraStrength?: number | undefined;
}

/** The LoRA strength StudioNOVA uses unless told otherwise: strong enough to hold the likeness, loose enough to pose. */
export const defaultLoraStrength = 0.8;

/**
 * Resolves a request: the character's trigger word leads the prompt, its LoRA selects the LoRA
 * template, negatives of studio and character are joined, and the size is checked against the
 * hardware profile — all before anything is queued.
 */
export function resolveRequest(
  input: GenerateInput,
  studio: StudioConfig,
  character: Character | undefined,
  hardware: { readonly limits: HardwareLimits; readonly label: string },
): GenerationRequest {
  const defaults = studio.defaults;
  const trigger = character?.trigger;
  const prompt = trigger && !input.prompt.split(/[,\s]+/).includes(trigger) ? `${trigger}, ${input.prompt}` : input.prompt;
  const loraName = input.lora ?? character?.lora;
  const lora = loraName ? { name: loraFileName(loraName), strength: input.loraStrength ?? defaultLoraStrength } : undefined;
  const request: GenerationRequest = {
    template: input.template ?? (lora ? 'txt2img-lora' : 'txt2img'),
    characterId: character?.id,
    prompt: prompt.trim(),
    negative: input.negative ?? [defaults.negative, character?.negative].filter(Boolean).join(', '),
    width: input.width ?? defaults.width,
    height: input.height ?? defaults.height,
    steps: input.steps ?? defaults.steps,
    cfg: input.cfg ?? defaults.cfg,
    sampler: input.sampler ?? defaults.sampler,
    scheduler: input.scheduler ?? defaults.scheduler,
    checkpoint: input.checkpoint ?? defaults.checkpoint ?? 'v1-5-pruned-emaonly.safetensors',
    lora,
    target: input.target ?? { kind: 'free', subject: character?.id ?? 'image' },
    seeds: seedsFor(input.count ?? 1, input.seed),
  };
  checkHardware(request, hardware.limits, hardware.label);
  return request;
}

/** ComfyUI lists LoRAs by file name; character.md and prompt files may name one without its extension. */
export function loraFileName(name: string): string {
  return /\.(safetensors|ckpt|pt|bin|pth)$/i.test(name) ? name : `${name}.safetensors`;
}
