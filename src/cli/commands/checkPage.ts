import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ComfyClient } from '../../core/comfy/comfyClient';
import { type EngineLists, engineListsFrom } from '../../core/comfy/engineLists';
import { diagnosePromptFile } from '../../core/prompts/diagnosePromptFile';
import { parsePromptFile } from '../../core/prompts/parsePromptFile';
import { indexFile, studioFile } from '../../core/studio/layout';
import { errorMessage } from '../../core/util/errors';
import { isErrnoException, pathExists } from '../../core/util/files';
import { builtinWorkflows, hardwareOption, openStudio, studioAbove, UsageError } from '../cliContext';
import { writeProblems } from '../problemJson';
import { studioPromptContext } from '../../core/prompts/studioPromptContext';

export interface CheckPageOptions {
  readonly profile?: string | undefined;
  readonly url?: string | undefined;
}

/**
 * `studionova check <page.md>`: the page checked as the editor checks it, against the studio
 * it lies in and ComfyUI's lists (live with --url, else as last remembered). Outside a studio,
 * only what the text alone shows.
 */
export async function checkPage(file: string, options: CheckPageOptions): Promise<number> {
  const hardware = hardwareOption(options.profile);
  const absolute = path.resolve(file);
  const text = await readPage(absolute);
  const root = await studioAbove(path.dirname(absolute));
  if (!root) {
    process.stderr.write(`${file} is not inside a studio (no ${studioFile} above it): only its text was checked, not its characters, size or ComfyUI names.\n`);
    return writeProblems(parsePromptFile(file, text).problems, process.stdout) ? 1 : 0;
  }
  // An index written earlier holds ComfyUI's lists; without one, nothing is created just to look.
  const index = await openStudio(root, await pathExists(path.join(root, indexFile)));
  try {
    const live = options.url ? await liveLists(options.url) : undefined;
    const lists = live ?? index.engineLists();
    if (!lists) process.stderr.write("ComfyUI's lists are not known: samplers, schedulers, checkpoints and LoRAs were not checked (give --url, or generate once).\n");
    else if (!live) process.stderr.write(`Checked against ComfyUI's lists as remembered from ${lists.at}.\n`);
    const relative = path.relative(root, absolute).split(path.sep).join('/');
    const problems = diagnosePromptFile(parsePromptFile(relative, text), await studioPromptContext(index, hardware, lists, builtinWorkflows));
    return writeProblems(problems, process.stdout) ? 1 : 0;
  } finally {
    await index.close();
  }
}

async function readPage(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') throw new UsageError(`${file} does not exist.`);
    throw error;
  }
}

async function liveLists(url: string): Promise<EngineLists | undefined> {
  try {
    return engineListsFrom(await new ComfyClient(url).objectInfo());
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n`);
    return undefined;
  }
}
