import { open } from 'node:fs/promises';
import { InvalidInputError } from '../util/errors';
import { isErrnoException } from '../util/files';
import type { LoraFacts } from './model';

/**
 * The header of a `.safetensors` file: bytes 0–7 a u64 LE length N, then N bytes of JSON (tensor
 * name → dtype/shape/offsets, plus an optional `__metadata__` of strings). Only those bytes are
 * read: a LoRA's tensors can be hundreds of megabytes, and a raw read does not lock the file on
 * Windows as `safe_open` does.
 */

export interface SafetensorsHeader {
  /** `__metadata__`, every value a string (sd-scripts writes `"None"`, `"True"`, JSON inside strings). */
  readonly metadata: Record<string, string>;
  readonly tensorCount: number;
  /** N, the JSON's length in bytes (the tensor data starts at 8 + N). */
  readonly headerBytes: number;
}

/** Real headers are kilobytes; `ss_tag_frequency` can make them a few megabytes. */
const maxHeaderBytes = 100 * 1024 * 1024;

export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') throw new InvalidInputError(`${file} does not exist: choose a .safetensors file.`);
    throw error;
  }
  try {
    const notSafetensors = (why: string): InvalidInputError => new InvalidInputError(`${file} is not a safetensors file: ${why}. Choose a .safetensors LoRA or checkpoint.`);
    const { size } = await handle.stat();
    const prefix = Buffer.alloc(8);
    if ((await handle.read(prefix, 0, 8, 0)).bytesRead < 8) throw notSafetensors('it is shorter than the 8-byte header length');
    const length = prefix.readBigUInt64LE(0);
    if (length > BigInt(maxHeaderBytes)) throw notSafetensors(`its header would be ${length} bytes, over the 100 MB a real one stays under`);
    const headerBytes = Number(length);
    if (8 + headerBytes > size) throw notSafetensors(`its header would be ${headerBytes} bytes but the file has only ${size - 8} after the length`);
    const json = Buffer.alloc(headerBytes);
    await handle.read(json, 0, headerBytes, 8);
    let header: unknown;
    try {
      header = JSON.parse(json.toString('utf8'));
    } catch {
      throw notSafetensors('its header is not JSON');
    }
    if (!isObject(header)) throw notSafetensors('its header is not a JSON object');
    const { __metadata__: rawMetadata, ...tensors } = header;
    return { metadata: stringValues(rawMetadata), tensorCount: Object.keys(tensors).length, headerBytes };
  } finally {
    await handle.close();
  }
}

/**
 * What sd-scripts' `ss_*` (and ModelSpec) metadata says about a LoRA. Every value is parsed from
 * its string; `"None"`, a missing key or an unreadable value gives null.
 *
 * - `baseModel`: `ss_base_model_version` (else `modelspec.architecture`, else `ss_v2`) in words,
 *   with `ss_sd_model_name` in brackets when known: `SD 1.5 (v1-5-pruned-emaonly.safetensors)`.
 * - `networkDim`: `"None"` with `networks.lora` means sd-scripts' default rank, 4.
 * - `imageCount`: training images without repeats, from `ss_datasets` (dataset config runs) or
 *   `ss_dataset_dirs` (folder runs); only when neither lists them, `ss_num_train_images`, which
 *   counts repeats.
 * - `resolution`: `512x512`, from `ss_datasets`, `ss_resolution` or `modelspec.resolution`;
 *   datasets of different sizes are listed with commas.
 * - `epoch`: `ss_epoch` as written, which is 0-based in step checkpoints.
 * - `trainedAt`: `ss_training_finished_at` (unix seconds) as ISO 8601.
 * - `topTags`: `ss_tag_frequency` summed over its dataset folders, ties by name.
 */
export function loraFacts(metadata: Record<string, string>): LoraFacts {
  const datasets = jsonArray(metadata['ss_datasets']);
  const dim = numberOf(metadata['ss_network_dim']);
  return {
    baseModel: baseModelOf(metadata),
    networkDim: dim ?? (metadata['ss_network_dim'] === 'None' && metadata['ss_network_module'] === 'networks.lora' ? 4 : null),
    networkAlpha: numberOf(metadata['ss_network_alpha']),
    steps: numberOf(metadata['ss_steps']),
    epoch: numberOf(metadata['ss_epoch']),
    imageCount: imageCountOf(datasets, metadata),
    resolution: resolutionOf(datasets, metadata),
    outputName: textOf(metadata['ss_output_name']) ?? textOf(metadata['modelspec.title']),
    trainedAt: timeOf(metadata['ss_training_finished_at']),
    topTags: topTagsOf(metadata, datasets),
  };
}

const baseModelVersions: Record<string, string> = {
  sd_v1: 'SD 1.5',
  sd_v2: 'SD 2.x',
  sd_v2_v: 'SD 2.x (768, v-prediction)',
  'sdxl_base_v1-0': 'SDXL',
};

const architectures: Record<string, string> = {
  'stable-diffusion-v1': 'SD 1.5',
  'stable-diffusion-v2-512': 'SD 2.x',
  'stable-diffusion-v2-768-v': 'SD 2.x (768, v-prediction)',
  'stable-diffusion-xl-v1-base': 'SDXL',
};

function baseModelOf(metadata: Record<string, string>): string | null {
  const version = textOf(metadata['ss_base_model_version']);
  const architecture = textOf(metadata['modelspec.architecture'])?.replace(/\/.*$/, '');
  const family =
    (version && baseModelVersions[version]) ??
    (architecture && architectures[architecture]) ??
    version ??
    architecture ??
    (metadata['ss_v2'] === 'True' ? 'SD 2.x' : metadata['ss_v2'] === 'False' ? 'SD 1.5' : null);
  const model = textOf(metadata['ss_sd_model_name']);
  if (family && model) return `${family} (${model})`;
  return family ?? model;
}

function imageCountOf(datasets: unknown[] | null, metadata: Record<string, string>): number | null {
  if (datasets) {
    let count = 0;
    let listed = false;
    for (const dataset of datasets) {
      const subsets = isObject(dataset) && Array.isArray(dataset['subsets']) ? dataset['subsets'] : [];
      for (const subset of subsets) {
        if (!isObject(subset) || subset['is_reg'] === true || typeof subset['img_count'] !== 'number') continue;
        count += subset['img_count'];
        listed = true;
      }
    }
    if (listed) return count;
  }
  const dirs = jsonObject(metadata['ss_dataset_dirs']);
  if (dirs) {
    const counts = Object.values(dirs).map((dir) => (isObject(dir) && typeof dir['img_count'] === 'number' ? dir['img_count'] : null));
    if (counts.length > 0 && counts.every((n) => n !== null)) return counts.reduce((sum, n) => sum + n, 0);
  }
  return numberOf(metadata['ss_num_train_images']);
}

function resolutionOf(datasets: unknown[] | null, metadata: Record<string, string>): string | null {
  const sizes = new Set<string>();
  for (const dataset of datasets ?? []) {
    const size = isObject(dataset) && Array.isArray(dataset['resolution']) ? sizeOf(dataset['resolution'].join(',')) : null;
    if (size) sizes.add(size);
  }
  if (sizes.size > 0) return [...sizes].join(', ');
  return sizeOf(metadata['ss_resolution']) ?? sizeOf(metadata['modelspec.resolution']);
}

/** `(512, 512)`, `[512, 768]`, `512x512` or `512` as `WxH`. */
function sizeOf(value: string | undefined): string | null {
  const numbers = value?.match(/\d+/g);
  if (!numbers || numbers.length > 2) return null;
  return `${numbers[0]}x${numbers[1] ?? numbers[0]}`;
}

function topTagsOf(metadata: Record<string, string>, datasets: unknown[] | null): { tag: string; count: number }[] {
  const totals = new Map<string, number>();
  const add = (frequencies: unknown): void => {
    if (!isObject(frequencies)) return;
    for (const perDir of Object.values(frequencies)) {
      if (!isObject(perDir)) continue;
      for (const [tag, count] of Object.entries(perDir)) {
        if (typeof count === 'number' && tag.trim() !== '') totals.set(tag, (totals.get(tag) ?? 0) + count);
      }
    }
  };
  const frequencies = jsonObject(metadata['ss_tag_frequency']);
  if (frequencies) add(frequencies);
  else for (const dataset of datasets ?? []) if (isObject(dataset)) add(dataset['tag_frequency']);
  return [...totals]
    .map(([tag, count]) => ({ tag, count }))
    .sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
    .slice(0, 10);
}

function timeOf(value: string | undefined): string | null {
  const seconds = numberOf(value);
  if (seconds === null) return null;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function textOf(value: string | undefined): string | null {
  return value === undefined || value === '' || value === 'None' ? null : value;
}

function numberOf(value: string | undefined): number | null {
  const text = textOf(value);
  if (text === null) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function jsonObject(value: string | undefined): Record<string, unknown> | null {
  const parsed = parseJson(value);
  return isObject(parsed) ? parsed : null;
}

function jsonArray(value: string | undefined): unknown[] | null {
  const parsed = parseJson(value);
  return Array.isArray(parsed) ? parsed : null;
}

function parseJson(value: string | undefined): unknown {
  if (!textOf(value)) return undefined;
  try {
    return JSON.parse(value!);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The header says strings; anything else a writer put there is kept in its JSON form. */
function stringValues(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) out[key] = typeof item === 'string' ? item : JSON.stringify(item);
  return out;
}
