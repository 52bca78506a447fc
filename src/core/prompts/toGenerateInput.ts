import type { GenerateInput } from '../generation/resolveRequest';
import type { PanelBlock } from './parsedPromptFile';

/**
 * Maps a panel to GenerateInput: size to width and height, `lora_strength` to loraStrength, and
 * the target to the panel of its page, when the page's chapter and page are known. Anything the
 * panel leaves out stays undefined, for resolveRequest to fill from the character and studio.
 */
export function toGenerateInput(panel: PanelBlock): GenerateInput {
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
    lora: params.lora,
    loraStrength: params.lora_strength,
  };
}
