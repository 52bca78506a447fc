import type { GenerateInput } from '../generation/resolveRequest';
import type { Character } from '../model/studio';
import type { PanelBlock } from './parsedPromptFile';

/**
 * A panel as resolveRequest takes it. GenerateInput has no LoRA of its own: resolveRequest takes
 * the LoRA from the character, so `character` is the one to pass it, with a panel's `lora:` in
 * place of the character's.
 */
export interface PanelGenerateInput extends GenerateInput {
  readonly character: Character | undefined;
  /** The panel's `lora:`, also when there is no character to carry it. */
  readonly lora: string | undefined;
}

/**
 * Maps a panel to GenerateInput: size to width and height, `lora_strength` to loraStrength, and
 * the target to the panel of its page, when the page's chapter and page are known. `character`
 * is the studio's character the panel names (the host looks it up by `params.character`).
 * Anything the panel leaves out stays undefined, for resolveRequest to fill from the studio.
 */
export function toGenerateInput(panel: PanelBlock, character?: Character): PanelGenerateInput {
  const { params } = panel;
  const target =
    params.chapter !== undefined && params.page !== undefined
      ? { kind: 'page' as const, chapter: params.chapter, page: params.page, panel: panel.index }
      : undefined;
  return {
    prompt: panel.prompt,
    negative: params.negative,
    width: params.size?.width,
    height: params.size?.height,
    steps: params.steps,
    cfg: params.cfg,
    sampler: params.sampler,
    scheduler: params.scheduler,
    checkpoint: params.checkpoint,
    template: params.template,
    seed: params.seed,
    count: params.count,
    target,
    loraStrength: params.lora_strength,
    character: character && params.lora !== undefined ? { ...character, lora: params.lora } : character,
    lora: params.lora,
  };
}
