import * as vscode from 'vscode';
import { slotNames } from '../../core/comfy/workflow/slots';
import { listTemplates, loadWorkflowFile } from '../../core/generation/templates';
import { CancelledError } from '../../core/util/errors';
import type { StudioSession } from '../studioSession';
import { requireStudio } from './requireStudio';

/**
 * Shows what StudioNOVA found in a workflow: which node and input each field is filled into,
 * and whether the graph or a node title told it; and which fields it could not find.
 */
export async function showWorkflowSlots(session: StudioSession, builtinFolder: string): Promise<void> {
  const root = await requireStudio(session);
  const templates = await listTemplates({ builtinFolder, studioRoot: root.fsPath });
  const picked = await vscode.window.showQuickPick(
    templates.map((t) => ({ label: t.name, description: t.origin === 'studio' ? 'this studio' : 'shipped with StudioNOVA', file: t.file, origin: t.origin })),
    { title: 'Show Workflow Slots', placeHolder: 'Which workflow?' },
  );
  if (!picked) throw new CancelledError();
  const template = await loadWorkflowFile(picked.file, picked.origin);
  const rows = slotNames.map((slot) => {
    const at = template.slots[slot];
    return at ? `| ${slot} | ${at.node} (${at.classType}) | ${at.input} | ${at.foundBy} |` : `| ${slot} | — | — | not found |`;
  });
  const text = [`# Slots of ${template.name}`, '', `\`${picked.file}\``, '', '| field | node | input | found by |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'markdown', content: text }), { preview: true });
}
