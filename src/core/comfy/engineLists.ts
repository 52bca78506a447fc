import type { ObjectInfo } from './protocol';
import { comboChoices } from './workflow/validate';

/** The names a prompt file may use that only ComfyUI knows, as its /object_info offers them. */
export interface EngineLists {
  readonly samplers: readonly string[];
  readonly schedulers: readonly string[];
  readonly checkpoints: readonly string[];
  readonly loras: readonly string[];
  /** When ComfyUI gave them (ISO time): lists remembered from an earlier session say so. */
  readonly at: string;
}

/**
 * Reads the lists from the nodes every StudioNOVA template uses: KSampler's sampler and
 * scheduler choices, CheckpointLoaderSimple's and LoraLoader's files. A node ComfyUI lacks
 * gives an empty list.
 */
export function engineListsFrom(info: ObjectInfo, at: Date = new Date()): EngineLists {
  const choices = (node: string, input: string): string[] => {
    const definition = info[node];
    return (definition && comboChoices(definition, input)) ?? [];
  };
  return {
    samplers: choices('KSampler', 'sampler_name'),
    schedulers: choices('KSampler', 'scheduler'),
    checkpoints: choices('CheckpointLoaderSimple', 'ckpt_name'),
    loras: choices('LoraLoader', 'lora_name'),
    at: at.toISOString(),
  };
}
