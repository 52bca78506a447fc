import path from 'node:path';
import { type ImageParameters, readImageParameters } from '../../core/metadata/imageParameters';
import { readStudioImageParameters } from '../../core/metadata/studioImageParameters';
import { studioFile } from '../../core/studio/layout';
import { InvalidInputError } from '../../core/util/errors';
import { pathExists } from '../../core/util/files';
import { studioAbove, UsageError } from '../cliContext';

/**
 * `studionova inspect <image> [--studio <dir>]`: how an image was made, as one JSON object.
 * An image of a studio with a line in its generation log is described by that line (and its
 * workflow sidecar); any other image by its own metadata (ComfyUI or Automatic1111 PNG chunks).
 */
export async function inspectCommand(image: string | undefined, studio: string | undefined): Promise<number> {
  if (!image) throw new UsageError('Usage: studionova inspect <image> [--studio <dir>]');
  const file = path.resolve(image);
  if (!(await pathExists(file))) throw new InvalidInputError(`${image} does not exist: give the path of a PNG, JPEG or WebP image.`);
  const root = studio === undefined ? await studioAbove(path.dirname(file)) : await checkedStudio(studio);
  const params = (root && (await readStudioImageParameters(root, file))) || (await readImageParameters(file));
  process.stdout.write(`${JSON.stringify(report(file, params), null, 2)}\n`);
  return 0;
}

async function checkedStudio(folder: string): Promise<string> {
  const root = path.resolve(folder);
  if (!(await pathExists(path.join(root, studioFile)))) throw new UsageError(`${root} is not a studio: it has no ${studioFile}.`);
  return root;
}

/** The fields in a fixed order; JSON.stringify leaves out those that are undefined. */
function report(file: string, params: ImageParameters): Record<string, unknown> {
  const { source, prompt, negative, seed, steps, cfg, sampler, scheduler, width, height, checkpoint, loras, extra } = params;
  return { file, source, prompt, negative, seed, steps, cfg, sampler, scheduler, width, height, checkpoint, loras, extra };
}
