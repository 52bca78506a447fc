import path from 'node:path';
import type { DatasetKind } from '../model/studio';
import { checkId, checkTrigger } from '../studio/create';
import { datasetFile } from '../studio/layout';
import { InvalidInputError } from '../util/errors';
import { createFileExclusive } from '../util/files';
import { defaultResolution } from './datasetSettings';

export interface NewDataset {
  readonly id: string;
  readonly characterId: string | undefined;
  readonly trigger: string | undefined;
  readonly kind: DatasetKind;
  readonly resolution?: number;
}

/** How often each image is seen per epoch: sd-scripts' usual 10 for a character, 1 for regularization images. */
const defaultRepeats: Record<DatasetKind, number> = { character: 10, regularization: 1 };

/** Writes datasets/<id>/dataset.json and returns its studio path; an existing dataset is never touched. */
export async function createDataset(root: string, dataset: NewDataset): Promise<string> {
  const problem = checkId(dataset.id) ?? (dataset.trigger === undefined ? undefined : checkTrigger(dataset.trigger));
  if (problem) throw new InvalidInputError(problem);
  const file = datasetFile(dataset.id);
  const json = {
    ...(dataset.characterId ? { character: dataset.characterId } : {}),
    ...(dataset.trigger ? { trigger: dataset.trigger } : {}),
    kind: dataset.kind,
    repeats: defaultRepeats[dataset.kind],
    resolution: dataset.resolution ?? defaultResolution,
  };
  await createFileExclusive(path.join(root, file), `${JSON.stringify(json, null, 2)}\n`, `A dataset "${dataset.id}"`);
  return file;
}
