import type { Problem } from '../model/problem';
import type { HardwareLimits } from '../settings/hardware';

/** An edit on one line that makes a problem go away: the host offers it as a quick fix. */
export interface PromptFix {
  readonly kind: 'replace';
  /** What the quick fix is called, e.g. `Change to euler_ancestral`. */
  readonly title: string;
  readonly line: number;
  readonly startColumn: number;
  readonly endColumn: number;
  readonly text: string;
}

export type PromptDiagnostic = Problem & { readonly fix?: PromptFix | undefined };

/**
 * What the studio and the engine know, for the checks the text alone cannot make. A list that
 * is undefined is unknown (ComfyUI never answered): nothing is reported against it.
 */
export interface PromptContext {
  /** Character ids of the studio. */
  readonly characters: ReadonlySet<string>;
  /** The hardware profile sizes are checked against, as resolveRequest takes it. */
  readonly hardware: { readonly limits: HardwareLimits; readonly label: string };
  readonly samplers?: readonly string[] | undefined;
  readonly schedulers?: readonly string[] | undefined;
  /** Checkpoint file names as ComfyUI lists them. */
  readonly checkpoints?: readonly string[] | undefined;
  /** LoRA file names as ComfyUI lists them. */
  readonly loras?: readonly string[] | undefined;
  /** Workflow template names: StudioNOVA's own and the studio's `workflows/`. */
  readonly templates?: readonly string[] | undefined;
}
