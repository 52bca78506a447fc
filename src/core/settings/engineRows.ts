import { describeLimits, hardwarePresets } from './hardware';
import type { Settings } from './settings';

/** One engine as the Engines view lists it: what is configured, in words. */
export interface EngineRow {
  readonly id: 'comfyui' | 'sd-scripts' | 'ollama' | 'hardware';
  readonly label: string;
  readonly description: string;
  /** A codicon name. */
  readonly icon: string;
  /** What the settings editor is opened with for this engine. */
  readonly settingsQuery: string;
  readonly details: ReadonlyArray<readonly [string, string]>;
}

const notSet = 'not set';

/** The rows of the Engines view, from settings alone. */
export function engineRows(settings: Settings): EngineRow[] {
  const { comfyui, sdScripts, ollama, hardware } = settings;
  const preset = hardware.profile === 'custom' ? 'Custom' : hardwarePresets[hardware.profile].label;
  return [
    {
      id: 'comfyui',
      label: 'ComfyUI',
      description: comfyui.mode === 'connected' ? comfyui.url : `managed · ${comfyui.folder || 'folder not set'}`,
      icon: 'symbol-color',
      settingsQuery: 'studionova.comfyui',
      details: [
        ['Mode', comfyui.mode],
        ['URL', comfyui.url],
        ['Folder', comfyui.folder || notSet],
        ['Python', comfyui.python || 'python3'],
        ['Extra arguments', comfyui.extraArgs.join(' ') || 'none'],
      ],
    },
    {
      id: 'sd-scripts',
      label: 'sd-scripts',
      description: sdScripts.folder || 'folder not set',
      icon: 'pulse',
      settingsQuery: 'studionova.sdScripts',
      details: [
        ['Folder', sdScripts.folder || notSet],
        ['Launcher', sdScripts.launcher],
        ['Python', sdScripts.python || 'python3'],
        ['accelerate', sdScripts.accelerate || 'next to Python'],
      ],
    },
    {
      id: 'ollama',
      label: 'Ollama',
      description: ollama.url,
      icon: 'comment-discussion',
      settingsQuery: 'studionova.ollama',
      details: [['URL', ollama.url]],
    },
    {
      id: 'hardware',
      label: 'Hardware',
      description: `${preset} · ${describeLimits(hardware.limits)}`,
      icon: 'chip',
      settingsQuery: 'studionova.hardware',
      details: [
        ['Profile', preset],
        ['Largest image', `${hardware.limits.maxWidth}×${hardware.limits.maxHeight}`],
        ['Training batch size', String(hardware.limits.trainBatchSize)],
        ['GPU', hardware.limits.exclusiveGpu ? 'exclusive: no generation while training' : 'shared'],
      ],
    },
  ];
}
