/**
 * How an image was made, whichever tool made it: StudioNOVA's own log, ComfyUI's graph in the
 * PNG, or Automatic1111's infotext. One shape for all, so the gallery shows and compares them alike.
 */
import type { ImageSource, ParameterField } from '../../shared/protocol/gallery';
import type { ManifestEntry } from '../generation/manifest';
import { generatedNameOf, loraName } from '../studio/layout';
import { InvalidInputError } from '../util/errors';
import { a1111Parameters } from './a1111Parameters';
import { comfyPromptParameters } from './comfyPromptParameters';
import { withFileHead } from './fileHead';
import { parseLenientJson } from './lenientJson';
import { hasPngSignature } from './pngChunks';
import { type PngInfo, readPngTextFromHandle } from './pngText';

export interface ImageParameters {
  readonly source: ImageSource;
  readonly prompt: string | undefined;
  readonly negative: string | undefined;
  readonly seed: number | undefined;
  readonly steps: number | undefined;
  readonly cfg: number | undefined;
  readonly sampler: string | undefined;
  readonly scheduler: string | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly checkpoint: string | undefined;
  readonly loras: ReadonlyArray<{ readonly name: string; readonly strength: number | undefined }>;
  /** Everything else worth showing, in reading order: A1111's other keys, StudioNOVA's character/panel/template…, ComfyUI's denoise… */
  readonly extra: ReadonlyArray<ExtraField>;
}

export interface ExtraField {
  readonly key: string;
  readonly label: string;
  readonly value: string;
}

/** A text chunk shown as is (for images of unknown origin) is cut here: a whole workflow is no caption. */
const maxShownTextChars = 1000;

/**
 * The parameters a PNG carries: ComfyUI's `prompt` graph, else A1111's `parameters` infotext,
 * else none. Width and height are always the image's own (IHDR); when the parameters name
 * another size (a hires fix, an upscale), it is kept as "Generated at".
 */
export function parametersFromPngText(info: PngInfo): ImageParameters {
  const chunks = new Map(info.text.map((entry) => [entry.keyword, entry.text]));
  const notes: ExtraField[] = [];
  const graphText = chunks.get('prompt');
  if (graphText !== undefined) {
    const graph = parseGraph(graphText);
    if (typeof graph === 'object') return withImageSize({ source: 'comfyui', ...fromComfyGraph(graph) }, info);
    notes.push({ key: 'unreadable', label: 'Unreadable metadata', value: `The "prompt" text chunk is not a ComfyUI graph: ${graph}.` });
  }
  const infotext = chunks.get('parameters');
  if (infotext !== undefined) {
    const parsed = a1111Parameters(infotext);
    return withImageSize({ source: 'a1111', ...parsed, extra: [...parsed.extra, ...notes] }, info);
  }
  const shown = info.text.map(({ keyword, text }) => ({ key: `text:${keyword}`, label: keyword, value: shorten(text) }));
  return { ...unknownParameters(), width: info.width, height: info.height, extra: [...notes, ...shown] };
}

/**
 * StudioNOVA's own image: everything from its line of the generation log, and from the
 * workflow sidecar (the API graph as submitted) what the line does not hold.
 */
export function parametersFromManifest(entry: ManifestEntry, sidecar: unknown): ImageParameters {
  const graph = sidecar === undefined ? undefined : comfyPromptParameters(sidecar);
  const loras: Array<ImageParameters['loras'][number]> = entry.lora ? [{ name: entry.lora.name, strength: entry.lora.strength }] : [];
  const known = new Set(loras.map((lora) => loraName(lora.name)));
  for (const lora of graph?.loras ?? []) if (!known.has(loraName(lora.name))) loras.push(lora);
  // A hand-edited or older line may lack a field its type promises; the sidecar fills it in.
  return {
    source: 'studionova',
    prompt: entry.prompt ?? graph?.prompt,
    negative: entry.negative ?? graph?.negative,
    seed: entry.seed ?? graph?.seed,
    steps: entry.steps ?? graph?.steps,
    cfg: entry.cfg ?? graph?.cfg,
    sampler: entry.sampler ?? graph?.sampler,
    scheduler: entry.scheduler ?? graph?.scheduler,
    width: entry.width ?? graph?.width,
    height: entry.height ?? graph?.height,
    checkpoint: entry.checkpoint ?? graph?.checkpoint,
    loras,
    extra: [...manifestExtras(entry), ...(graph?.denoise === undefined ? [] : [denoiseField(graph.denoise)])],
  };
}

/**
 * The parameters of any image file. PNGs are read for their text chunks; JPEG, WebP and GIF
 * files are recognised but their metadata is not read (A1111 puts its infotext in EXIF
 * UserComment there, which is out of scope), so they come back 'unknown' without a size.
 * Anything else is refused.
 */
export async function readImageParameters(file: string): Promise<ImageParameters> {
  return withFileHead(file, async (handle, head) => {
    if (hasPngSignature(head)) return parametersFromPngText(await readPngTextFromHandle(handle, head, file));
    if (isOtherImage(head)) return unknownParameters();
    throw new InvalidInputError(`${file} is not an image StudioNOVA can read: give a PNG, JPEG or WebP file.`);
  });
}

/**
 * The flat list the detail view shows and two images are compared by: seed, steps, CFG,
 * sampler, scheduler, size, checkpoint, LoRAs, then the extras. Prompt and negative are shown
 * apart. Keys are stable and unique, so the same key in two lists is the same setting.
 */
export function parameterFields(params: ImageParameters): ParameterField[] {
  const fields: ParameterField[] = [];
  const add = (key: string, label: string, value: string | number | undefined): void => {
    if (value !== undefined && !fields.some((field) => field.key === key)) fields.push({ key, label, value: String(value) });
  };
  add('seed', 'Seed', params.seed);
  add('steps', 'Steps', params.steps);
  add('cfg', 'CFG', params.cfg);
  add('sampler', 'Sampler', params.sampler);
  add('scheduler', 'Scheduler', params.scheduler);
  add('size', 'Size', sizeText(params.width, params.height));
  add('checkpoint', 'Checkpoint', params.checkpoint);
  const loras = params.loras.map((lora) => (lora.strength === undefined ? lora.name : `${lora.name} (${lora.strength})`));
  add('loras', 'LoRAs', loras.length > 0 ? loras.join(', ') : undefined);
  for (const field of params.extra) add(field.key, field.label, field.value);
  return fields;
}

function fromComfyGraph(graph: Record<string, unknown>): Omit<ImageParameters, 'source'> {
  const { denoise, ...found } = comfyPromptParameters(graph);
  return { ...found, extra: denoise === undefined ? [] : [denoiseField(denoise)] };
}

/** The API graph in a `prompt` chunk, or why it is not one. */
function parseGraph(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = parseLenientJson(text);
  } catch {
    return 'it is not valid JSON';
  }
  const isNode = (node: unknown): boolean => typeof node === 'object' && node !== null && typeof (node as Record<string, unknown>)['class_type'] === 'string';
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).some(isNode)) return 'it holds no nodes';
  return value as Record<string, unknown>;
}

function withImageSize(params: ImageParameters, info: PngInfo): ImageParameters {
  const generated = sizeText(params.width, params.height);
  const differs = generated !== undefined && generated !== sizeText(info.width, info.height);
  const extra = differs ? [...params.extra, { key: 'generatedSize', label: 'Generated at', value: generated }] : params.extra;
  return { ...params, width: info.width, height: info.height, extra };
}

function manifestExtras(entry: ManifestEntry): ExtraField[] {
  const version = generatedNameOf(entry.image.replace(/^.*[\\/]/, ''))?.version;
  const target = entry.target;
  type Field = readonly [key: string, label: string, value: string | number | null | undefined];
  const where: Field[] =
    target.kind === 'page'
      ? [
          ['chapter', 'Chapter', target.chapter],
          ['page', 'Page', target.page],
          ['panel', 'Panel', target.panel],
        ]
      : target.kind === 'free'
        ? [['subject', 'Subject', target.subject]]
        : target.kind === 'trial'
          ? [
              ['trainingRun', 'Training run', target.runId],
              ['checkpoint', 'Checkpoint', target.checkpoint],
            ]
          : [['dataset', 'Dataset', target.datasetId]];
  const fields: Field[] = [
    ['character', 'Character', entry.character],
    ...where,
    ['version', 'Version', version],
    ['template', 'Template', entry.template],
    ['promptFile', 'Prompt file', entry.promptFile],
    ['createdAt', 'Created', entry.createdAt],
    ['comfyuiVersion', 'ComfyUI version', entry.comfyuiVersion],
    ['queueWaitMs', 'Queue wait', milliseconds(entry.timings?.queueWaitMs)],
    ['runMs', 'Run time', milliseconds(entry.timings?.runMs)],
    ['downloadMs', 'Download', milliseconds(entry.timings?.downloadMs)],
  ];
  return fields.flatMap(([key, label, value]) => (value === null || value === undefined ? [] : [{ key, label, value: String(value) }]));
}

function denoiseField(denoise: number): ExtraField {
  return { key: 'denoise', label: 'Denoise', value: String(denoise) };
}

/** Parameters of an image nothing is known about, with what there is to say about it. */
export function unknownParameters(extra: readonly ExtraField[] = []): ImageParameters {
  return {
    source: 'unknown',
    prompt: undefined,
    negative: undefined,
    seed: undefined,
    steps: undefined,
    cfg: undefined,
    sampler: undefined,
    scheduler: undefined,
    width: undefined,
    height: undefined,
    checkpoint: undefined,
    loras: [],
    extra,
  };
}

/** JPEG (FF D8 FF), WebP (RIFF…WEBP) and GIF (GIF8): images whose metadata is not read. */
function isOtherImage(head: Buffer): boolean {
  const jpeg = head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  const webp = head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP';
  return jpeg || webp || head.toString('latin1', 0, 4) === 'GIF8';
}

function sizeText(width: number | undefined, height: number | undefined): string | undefined {
  return width === undefined || height === undefined ? undefined : `${width}×${height}`;
}

function milliseconds(value: number | undefined): string | undefined {
  return value === undefined ? undefined : `${value} ms`;
}

function shorten(text: string): string {
  return text.length <= maxShownTextChars ? text : `${text.slice(0, maxShownTextChars)}…`;
}
