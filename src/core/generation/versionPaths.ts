import { chapterId, classifyStudioPath } from '../studio/layout';
import { InvalidInputError } from '../util/errors';

/** One generated version of a page, wherever the path given for it lies. */
export interface VersionPaths {
  readonly stage: 'raw' | 'approved';
  /** output/ch-01/raw/ch01_p001_v3.png: the image as generated, the one the manifest names. */
  readonly raw: string;
  /** output/ch-01/approved/ch01_p001_v3.png: where approving it puts its copy. */
  readonly approved: string;
  readonly chapter: number;
  readonly page: number;
  readonly version: number;
}

/**
 * Reads a version from a studio path, in raw/ or approved/. Anything else is refused before a
 * file is touched: these paths come from clicks in webviews, and approving removes files.
 */
export function versionPaths(imagePath: string): VersionPaths {
  if (!imagePath.startsWith('output/')) {
    throw new InvalidInputError(`${imagePath} is outside the studio's output folder: only images StudioNOVA generated there can be approved or re-run.`);
  }
  const role = classifyStudioPath(imagePath);
  const [, folder, stage, name, ...rest] = imagePath.split('/');
  const generated = role?.role === 'asset' ? role.generated : undefined;
  if (!generated || rest.length > 0 || folder !== chapterId(generated.chapter) || (stage !== 'raw' && stage !== 'approved')) {
    throw new InvalidInputError(
      `${imagePath} is not a generated version of a page (output/ch-XX/raw/chXX_pNNN_vN.png): only those can be approved or re-run.`,
    );
  }
  return { stage, raw: `output/${folder}/raw/${name}`, approved: `output/${folder}/approved/${name}`, ...generated };
}
