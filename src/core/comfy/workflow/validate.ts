import type { ApiWorkflow } from '../comfyClient';
import type { NodeDefinition, ObjectInfo } from '../protocol';
import { isLink } from './format';

/** Where ComfyUI looks for the files each loader input names (shared/reference §5, model folders). */
const modelFolders: Record<string, string> = {
  ckpt_name: 'models/checkpoints',
  lora_name: 'models/loras',
  vae_name: 'models/vae',
  control_net_name: 'models/controlnet',
  model_name: 'models/upscale_models',
};

/**
 * Checks a filled workflow against what the running ComfyUI has (/object_info): every node class
 * installed, every choice (checkpoint, LoRA, sampler, scheduler…) among the offered ones. Returns
 * one sentence per problem, naming what is missing and where ComfyUI looks for it.
 */
export function checkAgainstObjectInfo(workflow: ApiWorkflow, objectInfo: ObjectInfo): string[] {
  const problems: string[] = [];
  for (const [id, node] of Object.entries(workflow)) {
    const definition = objectInfo[node.class_type];
    if (!definition) {
      problems.push(`Node ${id} is a "${node.class_type}", which this ComfyUI does not have: install the custom node that provides it.`);
      continue;
    }
    for (const [input, value] of Object.entries(node.inputs)) {
      if (isLink(value)) continue;
      const choices = comboChoices(definition, input);
      if (!choices || choices.includes(String(value))) continue;
      const folder = modelFolders[input];
      const offered = choices.length === 0 ? 'none' : choices.length > 8 ? `${choices.slice(0, 8).join(', ')}, … (${choices.length})` : choices.join(', ');
      problems.push(
        folder
          ? `"${String(value)}" (${input} of node ${id}, ${node.class_type}) is not in ComfyUI's ${folder} folder; it has: ${offered}.`
          : `"${String(value)}" is not a ${input} this ComfyUI offers (node ${id}, ${node.class_type}); it has: ${offered}.`,
      );
    }
  }
  return problems;
}

/** The choices of a combo input in either form: V1 `[[…], {…}]` or V3 `["COMBO", {options: […]}]`. */
export function comboChoices(definition: NodeDefinition, input: string): string[] | undefined {
  const spec = definition.input.required?.[input] ?? definition.input.optional?.[input];
  if (!spec) return undefined;
  const [type, options] = spec;
  if (Array.isArray(type)) return type.map(String);
  if (type === 'COMBO' && typeof options === 'object' && options !== null && Array.isArray((options as { options?: unknown }).options)) {
    return ((options as { options: unknown[] }).options).map(String);
  }
  return undefined;
}
