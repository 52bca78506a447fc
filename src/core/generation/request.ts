import { randomInt } from 'node:crypto';
import type { StudioDefaults } from '../model/studio';
import type { HardwareLimits } from '../settings/hardware';
import { InvalidInputError } from '../util/errors';

/** Where an image belongs: a page of a chapter, or a free generation named after its subject. */
export type OutputTarget =
  | { readonly kind: 'page'; readonly chapter: number; readonly page: number; readonly panel?: number | undefined }
  | { readonly kind: 'free'; readonly subject: string }
  /** Training images straight into a dataset folder (a regularization set). */
  | { readonly kind: 'dataset'; readonly datasetId: string }
  /** A test image of a training checkpoint: one prompt of the run's checkpoint comparison. */
  | { readonly kind: 'trial'; readonly runId: string; readonly checkpoint: string; readonly prompt: number };

/** Everything one generation needs, already resolved from studio defaults, character and user input. */
export interface GenerationRequest extends Pick<StudioDefaults, 'width' | 'height' | 'steps' | 'cfg' | 'sampler' | 'scheduler'> {
  readonly template: string;
  readonly characterId: string | undefined;
  readonly prompt: string;
  readonly negative: string;
  readonly checkpoint: string;
  readonly lora: { readonly name: string; readonly strength: number } | undefined;
  readonly target: OutputTarget;
  /** The page file the prompt came from (studio-relative), so an image leads back to its source. */
  readonly promptFile?: string | undefined;
  /** One image per seed; each is its own job. */
  readonly seeds: readonly number[];
}

/** Seeds stay below 2^48: exact in JavaScript numbers and in ComfyUI's 64-bit range. */
const maxSeed = 2 ** 48;

/** `count` seeds: from `first` upwards when given, else random; each image gets its own. */
export function seedsFor(count: number, first?: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new InvalidInputError('Ask for 1 to 64 images at a time.');
  if (first !== undefined && (!Number.isInteger(first) || first < 0 || first >= maxSeed)) {
    throw new InvalidInputError(`A seed is a whole number from 0 to ${maxSeed - 1}.`);
  }
  const start = first ?? randomInt(0, maxSeed - count);
  return Array.from({ length: count }, (_, i) => start + i);
}

/**
 * The hardware profile is a rule: a size over its limit is refused before anything is queued.
 * The limit holds either way round (512×768 allows 768×512), as portrait and landscape panels
 * cost the same memory.
 */
export function checkHardware(request: Pick<GenerationRequest, 'width' | 'height'>, limits: HardwareLimits, profileLabel: string): void {
  const [longLimit, shortLimit] = [Math.max(limits.maxWidth, limits.maxHeight), Math.min(limits.maxWidth, limits.maxHeight)];
  const [longSide, shortSide] = [Math.max(request.width, request.height), Math.min(request.width, request.height)];
  if (longSide > longLimit || shortSide > shortLimit) {
    throw new InvalidInputError(
      `${request.width}×${request.height} is over the ${profileLabel} limit of ${limits.maxWidth}×${limits.maxHeight}. ` +
        'Choose a smaller size, or another hardware profile (StudioNOVA: Select Hardware Profile).',
    );
  }
  if (request.width % 8 !== 0 || request.height % 8 !== 0 || shortSide < 64) {
    throw new InvalidInputError(`${request.width}×${request.height}: width and height must be multiples of 8, at least 64.`);
  }
}
