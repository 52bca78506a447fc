import { stat } from 'node:fs/promises';
import path from 'node:path';
import { validateDataset } from '../../core/datasets/validateDataset';
import { isMissingFile } from '../../core/util/files';
import { printJson, studioAbove, UsageError } from '../cliContext';
import { writeProblems } from '../problemJson';

/**
 * `studionova dataset check <dir>`: the pre-training report on one dataset folder, each finding
 * as one JSON line (as `check` prints problems), then `{"summary": …}`. Exit 1 if any finding is
 * an error; warnings (such as the image count) alone exit 0.
 */
export async function datasetCommand(action: string | undefined, target: string | undefined): Promise<number> {
  if (action !== 'check') throw new UsageError(action ? `Unknown dataset command "${action}"; try "dataset check <dir>".` : 'Say what to do: studionova dataset check <dir>.');
  if (!target) throw new UsageError('Name the dataset folder, e.g. studionova dataset check datasets/spyke.');
  const folder = path.resolve(target);
  if (!(await isFolder(folder))) throw new UsageError(`${folder} is not a folder.`);
  const { problems, summary } = await validateDataset(folder, { studioRoot: await studioAbove(folder) });
  const hasErrors = writeProblems(problems, process.stdout);
  printJson({ summary });
  return hasErrors ? 1 : 0;
}

async function isFolder(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory();
  } catch (error) {
    if (isMissingFile(error)) return false;
    throw error;
  }
}
