import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApiWorkflow } from '../comfy/comfyClient';
import { WorkflowError } from '../comfy/errors';
import { toApiWorkflow } from '../comfy/workflow/format';
import { detectSlots, type WorkflowSlots } from '../comfy/workflow/slots';
import { isErrnoException } from '../util/files';

/** Where templates come from: the ones StudioNOVA ships, and the studio's own `workflows/`, which win on a name clash. */
export interface TemplateSource {
  readonly builtinFolder: string;
  readonly studioRoot: string | undefined;
}

export interface Template {
  readonly name: string;
  readonly file: string;
  readonly origin: 'studio' | 'builtin';
  readonly workflow: ApiWorkflow;
  readonly slots: WorkflowSlots;
}

export async function listTemplates(source: TemplateSource): Promise<Array<{ name: string; file: string; origin: Template['origin'] }>> {
  const byName = new Map<string, { name: string; file: string; origin: Template['origin'] }>();
  const folders: Array<[string | undefined, Template['origin']]> = [
    [source.builtinFolder, 'builtin'],
    [source.studioRoot && path.join(source.studioRoot, 'workflows'), 'studio'],
  ];
  for (const [folder, origin] of folders) {
    if (!folder) continue;
    for (const name of await readdir(folder).catch(() => [] as string[])) {
      if (name.endsWith('.json')) byName.set(name.slice(0, -5), { name: name.slice(0, -5), file: path.join(folder, name), origin });
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Loads a template by name and finds its slots; a UI-format file is refused with how to export the API format. */
export async function loadTemplate(name: string, source: TemplateSource): Promise<Template> {
  const entry = (await listTemplates(source)).find((template) => template.name === name);
  if (!entry) throw new WorkflowError(`There is no workflow template "${name}": add workflows/${name}.json (ComfyUI API format) to the studio.`);
  return loadWorkflowFile(entry.file, entry.origin);
}

export async function loadWorkflowFile(file: string, origin: Template['origin'] = 'studio'): Promise<Template> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') throw new WorkflowError(`${file} does not exist.`);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WorkflowError(`${path.basename(file)} is not valid JSON: ${(error as Error).message}`);
  }
  const workflow = toApiWorkflow(json, path.basename(file));
  return { name: path.basename(file, '.json'), file, origin, workflow, slots: detectSlots(workflow) };
}
