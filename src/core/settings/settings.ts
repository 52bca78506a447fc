import * as z from 'zod/mini';
import { type HardwareLimits, hardwarePresets, type HardwareProfileId } from './hardware';

/**
 * Every setting StudioNOVA reads, as one validated snapshot. The host reads it from the
 * configuration; the CLI from flags and defaults; the core never reads configuration itself.
 */
export interface Settings {
  readonly comfyui: {
    readonly mode: 'connected' | 'managed';
    readonly url: string;
    readonly folder: string;
    readonly python: string;
    readonly extraArgs: readonly string[];
    /** Start (managed) or connect (connected) right after activation, instead of on first use. */
    readonly autoStart: boolean;
  };
  readonly sdScripts: {
    readonly folder: string;
    readonly launcher: 'python' | 'accelerate';
    readonly python: string;
    readonly accelerate: string;
  };
  readonly ollama: { readonly url: string };
  readonly hardware: {
    readonly profile: HardwareProfileId;
    readonly limits: HardwareLimits;
    /** On an exclusive GPU, a generation asked for during a training is refused or waits for it. */
    readonly generationDuringTraining: 'refuse' | 'hold';
  };
}

const url = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// address' });
const limitsSchema = z.object({
  maxWidth: z.int().check(z.gte(64), z.lte(8192)),
  maxHeight: z.int().check(z.gte(64), z.lte(8192)),
  trainBatchSize: z.int().check(z.gte(1), z.lte(64)),
  exclusiveGpu: z.boolean(),
});

/** The raw values as a configuration section gives them, keyed like package.json without the prefix. */
export const rawSettingsSchema = z.object({
  'comfyui.mode': z._default(z.enum(['connected', 'managed']), 'connected'),
  'comfyui.url': z._default(url, 'http://127.0.0.1:8188'),
  'comfyui.folder': z._default(z.string(), ''),
  'comfyui.python': z._default(z.string(), ''),
  'comfyui.extraArgs': z._default(z.array(z.string()), []),
  'comfyui.autoStart': z._default(z.boolean(), false),
  'sdScripts.folder': z._default(z.string(), ''),
  'sdScripts.launcher': z._default(z.enum(['python', 'accelerate']), 'accelerate'),
  'sdScripts.python': z._default(z.string(), ''),
  'sdScripts.accelerate': z._default(z.string(), ''),
  'ollama.url': z._default(url, 'http://127.0.0.1:11434'),
  'hardware.profile': z._default(z.enum(['apple-m1-16gb', 'nvidia-12gb', 'nvidia-24gb', 'custom']), 'apple-m1-16gb'),
  'hardware.custom': z._default(limitsSchema, hardwarePresets['apple-m1-16gb'].limits),
  'hardware.generationDuringTraining': z._default(z.enum(['refuse', 'hold']), 'refuse'),
});

export type RawSettings = z.input<typeof rawSettingsSchema>;

export type SettingsResult = { readonly settings: Settings; readonly problems: string[] };

/**
 * Validates raw values. A bad value does not stop the extension: it falls back to its default
 * and is reported once, naming the setting, so a hand-edited typo is easy to find.
 */
export function parseSettings(raw: Record<string, unknown>): SettingsResult {
  const problems: string[] = [];
  const clean: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(rawSettingsSchema.def.shape)) {
    const value = raw[key];
    const checked = schema.safeParse(value);
    if (checked.success) clean[key] = checked.data;
    else {
      problems.push(`studionova.${key}: ${checked.error.issues[0]?.message ?? 'invalid value'}; using the default.`);
      clean[key] = schema.parse(undefined);
    }
  }
  const v = rawSettingsSchema.parse(clean);
  const profile = v['hardware.profile'];
  return {
    problems,
    settings: {
      comfyui: { mode: v['comfyui.mode'], url: v['comfyui.url'], folder: v['comfyui.folder'], python: v['comfyui.python'], extraArgs: v['comfyui.extraArgs'], autoStart: v['comfyui.autoStart'] },
      sdScripts: { folder: v['sdScripts.folder'], launcher: v['sdScripts.launcher'], python: v['sdScripts.python'], accelerate: v['sdScripts.accelerate'] },
      ollama: { url: v['ollama.url'] },
      hardware: {
        profile,
        limits: profile === 'custom' ? v['hardware.custom'] : hardwarePresets[profile].limits,
        generationDuringTraining: v['hardware.generationDuringTraining'],
      },
    },
  };
}

export const defaultSettings: Settings = parseSettings({}).settings;

/** Keys whose values a workspace must not set: they name programs that StudioNOVA runs. */
export const machineScopedKeys = ['comfyui.folder', 'comfyui.python', 'comfyui.extraArgs', 'sdScripts.folder', 'sdScripts.python', 'sdScripts.accelerate', 'sdScripts.launcher'] as const;
