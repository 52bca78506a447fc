import type { ImageFacts } from '../model/studio';
import { readImageParameters } from '../metadata/imageParameters';
import { loraName } from '../studio/layout';

const nothingKnown: ImageFacts = { source: 'unknown', seed: undefined, checkpoint: undefined, loras: [], prompt: undefined, negative: undefined, width: undefined, height: undefined };

/**
 * What an image's own metadata says, for the gallery's filters and search. An image that cannot
 * be read (cut short while it was copied, not an image after all) is simply of unknown origin:
 * one bad file must never stop the index.
 */
export async function readImageFacts(file: string): Promise<ImageFacts> {
  try {
    const parameters = await readImageParameters(file);
    return {
      source: parameters.source,
      seed: parameters.seed,
      checkpoint: parameters.checkpoint,
      loras: parameters.loras.map((lora) => loraName(lora.name)),
      prompt: parameters.prompt,
      negative: parameters.negative,
      width: parameters.width,
      height: parameters.height,
    };
  } catch {
    return nothingKnown;
  }
}
