import path from 'node:path';
import type { GalleryAction, ParameterField } from '../../shared/protocol/gallery';
import { versionPaths } from '../generation/versionPaths';
import { type ImageParameters, parameterFields, readImageParameters, unknownParameters } from '../metadata/imageParameters';
import { readStudioImageParameters } from '../metadata/studioImageParameters';
import type { Asset } from '../model/studio';

/** Everything the gallery's detail view says about one image, and what can be done with it. */
export interface ImageDescription {
  readonly parameters: ImageParameters;
  readonly fields: ParameterField[];
  /** Where the parameters were read from, in words. */
  readonly origin: string;
  readonly actions: GalleryAction[];
  /** The page file and panel it was generated from, when it was. */
  readonly promptFile: string | undefined;
  readonly panel: number | undefined;
}

const origins: Record<ImageParameters['source'], string> = {
  studionova: 'StudioNOVA generation log',
  comfyui: 'ComfyUI prompt graph in the PNG',
  a1111: 'Automatic1111 parameters in the PNG',
  unknown: 'No generation parameters in the file',
};

/**
 * Reads how an image was made: StudioNOVA's own images from the generation log and their
 * workflow sidecar, every other image from its own metadata. A file that cannot be read is
 * described as such, never an error: the person can still reveal or delete it.
 */
export async function describeImage(root: string, asset: Asset): Promise<ImageDescription> {
  const file = path.resolve(root, asset.path);
  const logged = asset.source === 'studionova' ? await readStudioImageParameters(root, file) : undefined;
  const parameters = logged ?? (await readImageParameters(file).catch((error: unknown) => unreadable(error)));
  const extra = (key: string): string | undefined => parameters.extra.find((field) => field.key === key)?.value;
  const promptFile = logged ? extra('promptFile') : undefined;
  const panel = logged ? Number(extra('panel')) : Number.NaN;
  const version = logged ? pageVersion(asset.path) : false;
  const actions: GalleryAction[] = [];
  if (version) actions.push('rerun', 'rerunNewSeed');
  if (parameters.prompt) actions.push('copyPrompt');
  if (promptFile) actions.push('openPrompt');
  if (version) actions.push(asset.approved ? 'unapprove' : 'approve');
  actions.push('openImage', 'reveal', 'describe', 'delete');
  return {
    parameters,
    fields: parameterFields(parameters),
    origin: logged && asset.hasSidecar ? `${origins.studionova} and workflow sidecar` : origins[parameters.source],
    actions,
    promptFile,
    panel: Number.isInteger(panel) ? panel : undefined,
  };
}

/** Only a page's generated versions (output/ch-XX/raw or approved) can be approved and re-run. */
function pageVersion(imagePath: string): boolean {
  try {
    versionPaths(imagePath);
    return true;
  } catch {
    return false;
  }
}

function unreadable(error: unknown): ImageParameters {
  return unknownParameters([{ key: 'unreadable', label: 'Unreadable', value: error instanceof Error ? error.message : String(error) }]);
}
