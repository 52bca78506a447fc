import path from 'node:path';
import { loadWorkflowFile } from '../../core/generation/templates';
import { printJson, UsageError } from '../cliContext';

/** `studionova workflow slots <file.json>`: the fields StudioNOVA found in a workflow, as JSON. */
export async function workflowCommand(subcommand: string | undefined, file: string | undefined): Promise<number> {
  if (subcommand !== 'slots' || !file) throw new UsageError('Usage: studionova workflow slots <file.json>');
  const template = await loadWorkflowFile(path.resolve(file));
  printJson({ file: template.file, slots: template.slots });
  return 0;
}
