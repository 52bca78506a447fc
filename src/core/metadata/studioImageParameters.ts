import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type ManifestEntry, parseManifest } from '../generation/manifest';
import { generatedNameOf, manifestFile, sidecarOf } from '../studio/layout';
import { isErrnoException, toStudioPath } from '../util/files';
import { type ImageParameters, parametersFromManifest } from './imageParameters';
import { parseLenientJson } from './lenientJson';

/**
 * The log line that made the image at `studioPath` (studio-relative, forward slashes). An
 * approved or upscaled copy keeps its file name (`ch01_p001_v3.png`) in another folder, so such
 * names are matched by chapter, page and version, not by path; when a version number was
 * reused, the last line names the file there now. Other names (a free generation's
 * `spyke_v2.png`) are matched by path.
 */
export function manifestEntryFor(entries: readonly ManifestEntry[], studioPath: string): ManifestEntry | undefined {
  const wanted = generatedNameOf(fileNameOf(studioPath));
  if (!wanted) return entries.findLast((entry) => entry.image === studioPath);
  return entries.findLast((entry) => {
    const made = typeof entry.image === 'string' ? generatedNameOf(fileNameOf(entry.image)) : undefined;
    return made !== undefined && made.chapter === wanted.chapter && made.page === wanted.page && made.version === wanted.version;
  });
}

/**
 * StudioNOVA's parameters for `imageFile` of the studio at `root`, from the generation log and
 * the workflow sidecar; undefined when the log has no line for it (an image from elsewhere).
 */
export async function readStudioImageParameters(root: string, imageFile: string): Promise<ImageParameters | undefined> {
  const log = await readIfPresent(path.join(root, manifestFile));
  const entry = log === undefined ? undefined : manifestEntryFor(parseManifest(log), toStudioPath(root, imageFile));
  if (!entry) return undefined;
  // The sidecar lies beside the raw image; a copy elsewhere may not have one, so the logged one is tried too.
  const logged = typeof entry.workflow === 'string' ? path.join(root, entry.workflow) : undefined;
  const sidecarText = (await readIfPresent(sidecarOf(imageFile))) ?? (logged === undefined ? undefined : await readIfPresent(logged));
  return parametersFromManifest(entry, sidecarText === undefined ? undefined : parseSidecar(sidecarText));
}

function fileNameOf(studioPath: string): string {
  return studioPath.replace(/^.*[\\/]/, '');
}

function parseSidecar(text: string): unknown {
  try {
    return parseLenientJson(text);
  } catch {
    // A damaged sidecar only loses what it would have added to the log line.
    return undefined;
  }
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR' || error.code === 'EISDIR')) return undefined;
    throw error;
  }
}
