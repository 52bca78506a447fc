import type { ApiWorkflow } from '../comfyClient';
import { isLink } from './format';

/** The fields of a workflow StudioNOVA fills in; everything else stays as the template has it. */
export const slotNames = [
  'positive',
  'negative',
  'seed',
  'steps',
  'cfg',
  'sampler',
  'scheduler',
  'checkpoint',
  'lora',
  'loraStrength',
  'width',
  'height',
  'batchSize',
  'filenamePrefix',
] as const;
export type SlotName = (typeof slotNames)[number];

export interface SlotLocation {
  readonly node: string;
  readonly input: string;
  readonly classType: string;
  /** Found by following the graph from the sampler, or by a node title the user set. */
  readonly foundBy: 'graph' | 'title';
}

export type WorkflowSlots = Partial<Record<SlotName, SlotLocation>>;

const samplerClasses = new Set(['KSampler', 'KSamplerAdvanced']);
const loraClasses = new Set(['LoraLoader', 'LoraLoaderModelOnly']);
/** How far a chain of conditioning or model nodes is followed before giving up (cycles, odd graphs). */
const maxHops = 16;

/**
 * Titles that pin a slot explicitly (ComfyUI's "Title" of a node, `_meta.title` in the API
 * export), for workflows whose graph is too unusual to follow. Case and spaces do not matter.
 */
const titleSlots: Record<string, ReadonlyArray<readonly [SlotName, readonly string[]]>> = {
  positive: [['positive', ['text']]],
  'positive prompt': [['positive', ['text']]],
  negative: [['negative', ['text']]],
  'negative prompt': [['negative', ['text']]],
  seed: [['seed', ['seed', 'noise_seed']]],
  checkpoint: [['checkpoint', ['ckpt_name']]],
  lora: [
    ['lora', ['lora_name']],
    ['loraStrength', ['strength_model']],
  ],
  size: [
    ['width', ['width']],
    ['height', ['height']],
    ['batchSize', ['batch_size']],
  ],
  sampler: [
    ['seed', ['seed', 'noise_seed']],
    ['steps', ['steps']],
    ['cfg', ['cfg']],
    ['sampler', ['sampler_name']],
    ['scheduler', ['scheduler']],
  ],
};

/**
 * Finds where each slot lives: from the main sampler, follow `positive` and `negative` to their
 * text encoders, `model` back through LoRA loaders to the checkpoint loader, and `latent_image`
 * to the empty latent; then let explicit node titles override what the graph gave.
 */
export function detectSlots(workflow: ApiWorkflow): WorkflowSlots {
  const slots: WorkflowSlots = {};
  const at = (node: string, input: string, foundBy: SlotLocation['foundBy'] = 'graph'): SlotLocation => ({
    node,
    input,
    classType: workflow[node]!.class_type,
    foundBy,
  });
  const literal = (node: string, input: string): boolean => {
    const value = workflow[node]?.inputs[input];
    return value !== undefined && !isLink(value);
  };

  const sampler = mainSampler(workflow);
  if (sampler) {
    const inputs = workflow[sampler]!.inputs;
    const seedInput = 'seed' in inputs ? 'seed' : 'noise_seed';
    for (const [slot, input] of [
      ['seed', seedInput],
      ['steps', 'steps'],
      ['cfg', 'cfg'],
      ['sampler', 'sampler_name'],
      ['scheduler', 'scheduler'],
    ] as const) {
      if (literal(sampler, input)) slots[slot] = at(sampler, input);
    }
    for (const side of ['positive', 'negative'] as const) {
      const encoder = followConditioning(workflow, inputs[side]);
      if (encoder && literal(encoder, 'text')) slots[side] = at(encoder, 'text');
    }
    const latent = followLatent(workflow, inputs['latent_image']);
    if (latent) {
      for (const [slot, input] of [
        ['width', 'width'],
        ['height', 'height'],
        ['batchSize', 'batch_size'],
      ] as const) {
        if (literal(latent, input)) slots[slot] = at(latent, input);
      }
    }
    const { checkpoint, lora } = followModel(workflow, inputs['model']);
    if (checkpoint && literal(checkpoint, 'ckpt_name')) slots.checkpoint = at(checkpoint, 'ckpt_name');
    if (lora && literal(lora, 'lora_name')) {
      slots.lora = at(lora, 'lora_name');
      if (literal(lora, 'strength_model')) slots.loraStrength = at(lora, 'strength_model');
    }
  }
  const save = Object.keys(workflow).find((id) => workflow[id]!.class_type === 'SaveImage' && literal(id, 'filename_prefix'));
  if (save) slots.filenamePrefix = at(save, 'filename_prefix');

  for (const [id, node] of Object.entries(workflow)) {
    const title = node._meta?.title?.trim().toLowerCase().replace(/\s+/g, ' ');
    for (const [slot, inputs] of (title && titleSlots[title]) || []) {
      const input = inputs.find((name) => literal(id, name));
      if (input) slots[slot] = at(id, input, 'title');
    }
  }
  return slots;
}

/** The sampler that starts from an empty latent (the base pass of a hires-fix graph), else the first. */
function mainSampler(workflow: ApiWorkflow): string | undefined {
  const samplers = Object.keys(workflow)
    .filter((id) => samplerClasses.has(workflow[id]!.class_type))
    .sort(byNodeId);
  return samplers.find((id) => workflow[followLatent(workflow, workflow[id]!.inputs['latent_image']) ?? '']?.class_type === 'EmptyLatentImage') ?? samplers[0];
}

/** From a sampler's conditioning input to the CLIPTextEncode that makes it. */
function followConditioning(workflow: ApiWorkflow, link: unknown): string | undefined {
  for (let hop = 0; hop < maxHops && isLink(link); hop++) {
    const [id, slot] = link;
    const node = workflow[id];
    if (!node) return undefined;
    if (node.class_type === 'CLIPTextEncode') return id;
    // ControlNetApplyAdvanced and its kin pass positive through output 0 and negative through 1.
    if ('positive' in node.inputs && 'negative' in node.inputs) link = node.inputs[slot === 1 ? 'negative' : 'positive'];
    else if ('conditioning' in node.inputs) link = node.inputs['conditioning'];
    else if ('conditioning_to' in node.inputs) link = node.inputs['conditioning_to'];
    else return undefined;
  }
  return undefined;
}

function followLatent(workflow: ApiWorkflow, link: unknown): string | undefined {
  for (let hop = 0; hop < maxHops && isLink(link); hop++) {
    const node = workflow[link[0]];
    if (!node) return undefined;
    if (node.class_type === 'EmptyLatentImage') return link[0];
    link = node.inputs['samples'];
  }
  return undefined;
}

/** From a sampler's model input back through LoRA loaders and model patches to the checkpoint loader. */
function followModel(workflow: ApiWorkflow, link: unknown): { checkpoint?: string; lora?: string } {
  let lora: string | undefined;
  for (let hop = 0; hop < maxHops && isLink(link); hop++) {
    const id = link[0];
    const node = workflow[id];
    if (!node) break;
    if (node.class_type === 'CheckpointLoaderSimple') return lora ? { checkpoint: id, lora } : { checkpoint: id };
    if (loraClasses.has(node.class_type)) lora ??= id;
    link = node.inputs['model'];
  }
  return lora ? { lora } : {};
}

function byNodeId(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}
