/**
 * Generation parameters read from a ComfyUI API-format graph: the `prompt` text chunk of a
 * ComfyUI PNG, or the `.workflow.json` sidecar StudioNOVA saves beside its images. The graph
 * comes from a file anyone may have written, so nothing here trusts its shape or throws on it.
 */
import type { ImageParameters } from './imageParameters';

/** The common parameters (loras in the order they are applied, from the checkpoint towards the sampler; width and height of the empty latent, undefined for image-to-image) and the denoise strength. */
export interface ComfyPromptParameters extends Omit<ImageParameters, 'source' | 'extra'> {
  readonly denoise: number | undefined;
}

type Inputs = Readonly<Record<string, unknown>>;
interface GraphNode {
  readonly classType: string;
  readonly inputs: Inputs;
}
type Graph = ReadonlyMap<string, GraphNode>;
type Link = readonly [string, number];

const samplerClasses = new Set(['KSampler', 'KSamplerAdvanced', 'SamplerCustom', 'SamplerCustomAdvanced']);
/** Nodes that end a generation; a sampler whose output reaches one made the saved image. */
const outputClasses = new Set(['SaveImage', 'PreviewImage', 'VAEDecode', 'VAEDecodeTiled']);
const loraClasses = new Set(['LoraLoader', 'LoraLoaderModelOnly']);
/** How far a chain of nodes is followed before giving up: graphs may be odd or even cyclic. */
const maxHops = 16;

/** What a graph that says nothing gives. */
export const noComfyParameters: ComfyPromptParameters = {
  prompt: undefined,
  negative: undefined,
  seed: undefined,
  steps: undefined,
  cfg: undefined,
  sampler: undefined,
  scheduler: undefined,
  denoise: undefined,
  width: undefined,
  height: undefined,
  checkpoint: undefined,
  loras: [],
};

/** What the graph says about how its image was made; fields it does not say stay undefined. */
export function comfyPromptParameters(apiGraph: unknown): ComfyPromptParameters {
  const graph = graphOf(apiGraph);
  const samplerId = mainSampler(graph);
  const sampler = samplerId === undefined ? undefined : graph.get(samplerId);
  if (!sampler) return noComfyParameters;
  const at = (input: string): GraphNode | undefined => nodeAt(graph, sampler.inputs[input]);
  // SamplerCustom(Advanced) spreads its settings over small nodes: a guider (cfg, conditioning,
  // model), a sampler selector, a sigmas scheduler and a noise source.
  const guider = at('guider');
  const sigmas = at('sigmas');
  const places: ReadonlyArray<GraphNode | undefined> = [sampler, guider, sigmas, at('sampler'), at('noise')];
  const size = latentSize(graph, sampler.inputs['latent_image']);
  const model = followModel(graph, sampler.inputs['model'] ?? guider?.inputs['model'] ?? sigmas?.inputs['model']);
  return {
    prompt: followText(graph, sampler.inputs['positive'] ?? guider?.inputs['positive'] ?? guider?.inputs['conditioning']),
    negative: followText(graph, sampler.inputs['negative'] ?? guider?.inputs['negative']),
    seed: numberIn(graph, places, ['seed', 'noise_seed']),
    steps: numberIn(graph, places, ['steps']),
    cfg: numberIn(graph, places, ['cfg']),
    sampler: stringIn(graph, places, ['sampler_name']),
    scheduler: stringIn(graph, places, ['scheduler']),
    denoise: numberIn(graph, places, ['denoise']),
    width: size?.width,
    height: size?.height,
    checkpoint: model.checkpoint,
    loras: model.loras,
  };
}

/** The graph as a map of well-formed nodes; anything else in the object is left out. */
function graphOf(value: unknown): Graph {
  const graph = new Map<string, GraphNode>();
  if (!isRecord(value)) return graph;
  for (const [id, node] of Object.entries(value)) {
    if (isRecord(node) && typeof node['class_type'] === 'string') {
      graph.set(id, { classType: node['class_type'], inputs: isRecord(node['inputs']) ? node['inputs'] : {} });
    }
  }
  return graph;
}

/**
 * The sampler that made the saved image: one whose output reaches an output node, and among
 * those one fed by an empty latent (the base pass of a hires-fix graph holds the seed and
 * size); else the first sampler by node id.
 */
function mainSampler(graph: Graph): string | undefined {
  const samplers = [...graph.keys()].filter((id) => samplerClasses.has(graph.get(id)!.classType)).sort(byNodeId);
  const reaching = samplers.filter((id) => reachesOutput(graph, id));
  const fromEmptyLatent = reaching.find((id) => latentSize(graph, graph.get(id)!.inputs['latent_image']) !== undefined);
  return fromEmptyLatent ?? reaching[0] ?? samplers[0];
}

function reachesOutput(graph: Graph, start: string): boolean {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const [consumerId, consumer] of graph) {
      if (seen.has(consumerId) || !Object.values(consumer.inputs).some((value) => isLink(value) && value[0] === id)) continue;
      if (outputClasses.has(consumer.classType)) return true;
      seen.add(consumerId);
      queue.push(consumerId);
    }
  }
  return false;
}

/** From a conditioning input back to the text encoder that made it, through a few conditioning nodes. */
function followText(graph: Graph, link: unknown): string | undefined {
  for (let hop = 0; hop < maxHops && isLink(link); hop++) {
    const node = graph.get(link[0]);
    if (!node) return undefined;
    // CLIPTextEncode has text; the SDXL encoder text_g (and text_l); the Flux one t5xxl (and clip_l).
    const textInput = ['text', 'text_g', 't5xxl', 'clip_l'].find((name) => name in node.inputs);
    if (textInput) return stringAt(graph, node.inputs[textInput], ['text', 'value', 'string', textInput]);
    // ControlNetApplyAdvanced and its kin pass positive through output 0 and negative through 1.
    if ('positive' in node.inputs && 'negative' in node.inputs) link = node.inputs[link[1] === 1 ? 'negative' : 'positive'];
    else link = ['conditioning', 'conditioning_to', 'conditioning_1', 'conditioning_from'].map((name) => node.inputs[name]).find(isLink);
  }
  return undefined;
}

/** From a model input back through LoRA loaders and model patches to the loader of the checkpoint. */
function followModel(graph: Graph, link: unknown): Pick<ComfyPromptParameters, 'checkpoint' | 'loras'> {
  const loras: Array<{ name: string; strength: number | undefined }> = [];
  let checkpoint: string | undefined;
  const seen = new Set<string>();
  for (let hop = 0; hop < maxHops && isLink(link) && !seen.has(link[0]); hop++) {
    seen.add(link[0]);
    const node = graph.get(link[0]);
    if (!node) break;
    if (loraClasses.has(node.classType)) {
      const name = stringAt(graph, node.inputs['lora_name'], ['lora_name', 'value']);
      if (name !== undefined) loras.push({ name, strength: numberAt(graph, node.inputs['strength_model'], ['strength_model', 'value']) });
    }
    checkpoint = stringAt(graph, node.inputs['ckpt_name'] ?? node.inputs['unet_name'], ['ckpt_name', 'unet_name', 'value']);
    if (checkpoint !== undefined) break;
    link = node.inputs['model'];
  }
  return { checkpoint, loras: loras.reverse() };
}

/** Width and height of the empty latent at the start of a latent chain (through upscales and the like). */
function latentSize(graph: Graph, link: unknown): { width: number; height: number } | undefined {
  for (let hop = 0; hop < maxHops && isLink(link); hop++) {
    const node = graph.get(link[0]);
    if (!node) return undefined;
    const width = numberAt(graph, node.inputs['width'], ['width', 'value']);
    const height = numberAt(graph, node.inputs['height'], ['height', 'value']);
    if (width !== undefined && height !== undefined && !('samples' in node.inputs)) return { width, height };
    link = node.inputs['samples'] ?? node.inputs['latent'];
  }
  return undefined;
}

function numberIn(graph: Graph, places: ReadonlyArray<GraphNode | undefined>, names: readonly string[]): number | undefined {
  for (const node of places) {
    for (const name of names) {
      const value = node && numberAt(graph, node.inputs[name], [name, 'value']);
      if (value !== undefined) return value;
    }
  }
  return undefined;
}

function stringIn(graph: Graph, places: ReadonlyArray<GraphNode | undefined>, names: readonly string[]): string | undefined {
  for (const node of places) {
    for (const name of names) {
      const value = node && stringAt(graph, node.inputs[name], [name, 'value']);
      if (value !== undefined) return value;
    }
  }
  return undefined;
}

function numberAt(graph: Graph, value: unknown, names: readonly string[]): number | undefined {
  const found = literalAt(graph, value, [...names, 'int', 'float', 'number', 'seed', 'noise_seed']);
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}

function stringAt(graph: Graph, value: unknown, names: readonly string[]): string | undefined {
  const found = literalAt(graph, value, [...names, 'string', 'text']);
  return typeof found === 'string' ? found : undefined;
}

/** A literal input value, following links to primitive or string nodes that hold it under one of `names`. */
function literalAt(graph: Graph, value: unknown, names: readonly string[]): unknown {
  for (let hop = 0; hop < maxHops && isLink(value); hop++) {
    const node = graph.get(value[0]);
    const name = node && names.find((candidate) => candidate in node.inputs);
    if (!node || name === undefined) return undefined;
    value = node.inputs[name];
  }
  return isLink(value) ? undefined : value;
}

function nodeAt(graph: Graph, value: unknown): GraphNode | undefined {
  return isLink(value) ? graph.get(value[0]) : undefined;
}

function isLink(value: unknown): value is Link {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function byNodeId(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}
