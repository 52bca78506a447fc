import type { EngineLists } from '../comfy/engineLists';
import type { HardwareLimits } from '../settings/hardware';
import type { PromptContext } from './promptDiagnostic';

/**
 * The context prompt files are checked against: the studio's characters and templates, the
 * hardware profile, and ComfyUI's lists (live, or as last remembered; none when it never answered).
 */
export function promptContext(options: {
  readonly characters: Iterable<string>;
  readonly hardware: { readonly limits: HardwareLimits; readonly label: string };
  readonly lists: EngineLists | undefined;
  readonly templates: readonly string[] | undefined;
}): PromptContext {
  const { lists } = options;
  return {
    characters: new Set(options.characters),
    hardware: options.hardware,
    samplers: lists?.samplers,
    schedulers: lists?.schedulers,
    checkpoints: lists?.checkpoints,
    loras: lists?.loras,
    templates: options.templates,
  };
}
