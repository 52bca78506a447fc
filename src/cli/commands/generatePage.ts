import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ComfyClient } from '../../core/comfy/comfyClient';
import { engineListsFrom } from '../../core/comfy/engineLists';
import { diagnosePromptFile } from '../../core/prompts/diagnosePromptFile';
import { panelRequest } from '../../core/prompts/panelRequest';
import { problemsConcerning } from '../../core/prompts/problemsConcerning';
import { parsePromptFile } from '../../core/prompts/parsePromptFile';
import { defaultSettings } from '../../core/settings/settings';
import { chapterId, pageFile } from '../../core/studio/layout';
import { InvalidInputError } from '../../core/util/errors';
import { isErrnoException } from '../../core/util/files';
import { builtinWorkflows, hardwareOption, openStudio, UsageError } from '../cliContext';
import { writeProblems } from '../problemJson';
import { runGeneration } from '../runGeneration';
import { studioPromptContext } from '../../core/prompts/studioPromptContext';
import type { GenerateOptions } from './generateCommand';

/** What shapes a `--prompt` request; a page sets these in its file, per panel. */
const promptOnly = ['character', 'count', 'seed', 'size', 'steps', 'cfg', 'sampler', 'scheduler', 'checkpoint', 'negative', 'template'] as const;

/**
 * `studionova generate --studio <dir> --chapter n --page n [--panel n]`: the page file's panels,
 * checked as the editor checks them, against ComfyUI's live lists, and queued together. An
 * error that concerns the panels to generate queues nothing.
 */
export async function generatePage(options: GenerateOptions): Promise<number> {
  const stray = promptOnly.filter((key) => options[key] !== undefined);
  if (stray.length > 0) throw new UsageError(`${stray.map((key) => `--${key}`).join(', ')}: for --prompt only; a page sets these in its file, per panel.`);
  if (options.chapter === undefined || options.page === undefined) throw new UsageError('Name the page with both --chapter and --page, e.g. --chapter 1 --page 1.');
  const file = pageFile(chapterId(wholeNumber(options.chapter, '--chapter')), wholeNumber(options.page, '--page'));
  const only = options.panel === undefined ? undefined : wholeNumber(options.panel, '--panel');
  const hardware = hardwareOption(options.profile);
  const index = await openStudio(options.studio, true);
  try {
    const studio = index.studioConfig;
    if (!studio) throw new UsageError('studio.json has errors: run studionova check first.');
    const parsed = parsePromptFile(file, await readPage(index.root, file));
    const panels = only === undefined ? parsed.panels.filter((panel) => panel.prompt !== '') : parsed.panels.filter((panel) => panel.index === only);
    if (only !== undefined && panels.length === 0) throw new UsageError(`There is no panel ${only} in ${file} (it has ${parsed.panels.length}).`);
    // A panel without prompt text is a warning, printed below: the page's other panels still run.
    if (panels.length === 0) throw new InvalidInputError(`${file} has no panel with a prompt: write one under a "## " heading.`);

    const client = new ComfyClient(options.url ?? defaultSettings.comfyui.url);
    const lists = engineListsFrom(await client.objectInfo());
    index.rememberEngineLists(lists);
    const diagnosed = diagnosePromptFile(parsed, await studioPromptContext(index, hardware, lists, builtinWorkflows));
    const problems = problemsConcerning(diagnosed, parsed, only === undefined ? undefined : new Set([only]));
    if (writeProblems(problems, process.stderr)) {
      process.stderr.write(`${file} has errors: nothing was queued.\n`);
      return 1;
    }
    const requests = panels.map((panel) => ({ ...panelRequest(panel, studio, (id) => index.characters.get(id), hardware), promptFile: file }));
    return await runGeneration(index, client, requests);
  } finally {
    await index.close();
  }
}

async function readPage(root: string, file: string): Promise<string> {
  try {
    return await readFile(path.join(root, file), 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') {
      throw new UsageError(`There is no page file ${file} in ${root}: create it with "StudioNOVA: New Page" in VS Code, or write it by hand.`);
    }
    throw error;
  }
}


function wholeNumber(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 9999) throw new UsageError(`${flag} takes a whole number from 1 to 9999 (got "${value}").`);
  return number;
}
