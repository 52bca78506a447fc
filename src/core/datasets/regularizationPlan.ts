import { resolveRequest } from '../generation/resolveRequest';
import type { GenerationRequest } from '../generation/request';
import type { Character, Dataset, StudioConfig } from '../model/studio';
import type { HardwareLimits } from '../settings/hardware';
import { InvalidInputError } from '../util/errors';

/** The size of a regularization set the user's training advice asks for. */
export const regularizationRange = { min: 100, max: 200 } as const;
/** Seeds per request: the queue takes at most 64 images at a time. */
const imagesPerRequest = 64;

export interface RegularizationPlan {
  /** The sibling dataset the images go into, e.g. spyke-reg. */
  readonly datasetId: string;
  /** The class prompt, also each image's caption. */
  readonly caption: string;
  readonly requests: GenerationRequest[];
}

/**
 * How to make a character's regularization set: `count` images of its class ("man", "girl")
 * from the base model, without its LoRA or trigger word, at the dataset's training resolution,
 * straight into the sibling dataset `<id>-reg`.
 */
export function regularizationPlan(
  dataset: Dataset,
  character: Character,
  count: number,
  resolution: number,
  studio: StudioConfig,
  hardware: { readonly limits: HardwareLimits; readonly label: string },
): RegularizationPlan {
  if (!Number.isInteger(count) || count < regularizationRange.min || count > regularizationRange.max) {
    throw new InvalidInputError(`A regularization set has ${regularizationRange.min} to ${regularizationRange.max} images.`);
  }
  const caption = character.class?.trim();
  if (!caption) throw new InvalidInputError(`${character.name} has no class: add "class: man" (or woman, girl, boy…) to characters/${character.id}/character.md.`);
  const datasetId = `${dataset.id}-reg`;
  const requests: GenerationRequest[] = [];
  for (let made = 0; made < count; made += imagesPerRequest) {
    // No character: neither its trigger word nor its LoRA may reach these images.
    requests.push(
      resolveRequest(
        { prompt: caption, width: resolution, height: resolution, count: Math.min(imagesPerRequest, count - made), target: { kind: 'dataset', datasetId } },
        studio,
        undefined,
        hardware,
      ),
    );
  }
  return { datasetId, caption, requests };
}
