import type { ApiWorkflow } from '../comfyClient';
import { WorkflowError } from '../errors';
import type { SlotName, WorkflowSlots } from './slots';

export type SlotValues = Partial<Record<SlotName, string | number>>;

const describe: Record<SlotName, string> = {
  positive: 'a positive prompt (a CLIPTextEncode feeding the sampler)',
  negative: 'a negative prompt (a CLIPTextEncode feeding the sampler)',
  seed: 'a seed on its sampler',
  steps: 'steps on its sampler',
  cfg: 'cfg on its sampler',
  sampler: 'a sampler name on its sampler',
  scheduler: 'a scheduler on its sampler',
  checkpoint: 'a checkpoint loader',
  lora: 'a LoRA loader',
  loraStrength: 'a LoRA strength',
  width: 'an empty latent image (width)',
  height: 'an empty latent image (height)',
  batchSize: 'an empty latent image (batch size)',
  filenamePrefix: 'a SaveImage node',
};

/**
 * Returns a copy of the template with the given values in their slots. A value for a slot the
 * template lacks is an error that names what is missing, never silently dropped: a LoRA asked
 * for and not applied would waste a whole generation.
 */
export function fillWorkflow(template: ApiWorkflow, slots: WorkflowSlots, values: SlotValues, templateName: string): ApiWorkflow {
  const workflow = structuredClone(template);
  const missing: string[] = [];
  for (const [slot, value] of Object.entries(values) as Array<[SlotName, string | number | undefined]>) {
    if (value === undefined) continue;
    const location = slots[slot];
    if (!location) {
      missing.push(describe[slot]);
      continue;
    }
    workflow[location.node]!.inputs[location.input] = value;
  }
  if (missing.length > 0) throw new WorkflowError(`The workflow "${templateName}" has no ${missing.join(', no ')}.`);
  return workflow;
}
