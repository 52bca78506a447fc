import type { EngineLists } from '../comfy/engineLists';
import { listTemplates } from '../generation/templates';
import type { HardwareLimits } from '../settings/hardware';
import type { StudioIndex } from '../studio/studioIndex';
import { promptContext } from './promptContext';
import type { PromptContext } from './promptDiagnostic';

/**
 * A page is checked against what generating it would use: the studio's characters, the
 * templates (StudioNOVA's and the studio's `workflows/`), the hardware profile, and ComfyUI's lists.
 */
export async function studioPromptContext(
  index: StudioIndex,
  hardware: { readonly limits: HardwareLimits; readonly label: string },
  lists: EngineLists | undefined,
  builtinWorkflows: string,
): Promise<PromptContext> {
  const templates = await listTemplates({ builtinFolder: builtinWorkflows, studioRoot: index.root });
  return promptContext({ characters: index.characters.list().map((c) => c.id), hardware, lists, templates: templates.map((t) => t.name) });
}
