import * as z from 'zod/mini';
import { defaultCaptionTemplate } from '../ollama/captionPrompt';

/** Where a workspace keeps small state between sessions: VS Code's `workspaceState`, or a map in tests. */
export interface StateStore {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const autoCaptionMemoryKey = 'studionova.captions.autoCaption';

/** Whatever was stored is checked: another version of the extension may have stored something else. */
const memorySchema = z.object({
  model: z.string().check(z.minLength(1), z.maxLength(200)),
  /** Absent while the template is the default: a better default in a later version then reaches the user. */
  template: z.optional(z.string().check(z.minLength(1), z.maxLength(20_000))),
});

/** What Auto-caption's form starts from: the choice last made in this workspace, or the defaults. */
export interface AutoCaptionStart {
  /** Undefined when none was chosen yet: the form offers Ollama's first vision model. */
  readonly model: string | undefined;
  readonly template: string;
}

export function recallAutoCaption(state: StateStore): AutoCaptionStart {
  const stored = memorySchema.safeParse(state.get(autoCaptionMemoryKey));
  if (!stored.success) return { model: undefined, template: defaultCaptionTemplate };
  return { model: stored.data.model, template: stored.data.template ?? defaultCaptionTemplate };
}

/** Remembers the model and template of a run, for the next one in this workspace. */
export function rememberAutoCaption(state: StateStore, model: string, template: string): PromiseLike<void> {
  return state.update(autoCaptionMemoryKey, template === defaultCaptionTemplate ? { model } : { model, template });
}
