import type { ComfyEngineState } from '../comfy/comfyEngine';
import { describeDevice, describeVersions } from '../comfy/systemStatsSummary';
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

/** The rows of the Engines view: what the settings say, and how ComfyUI is doing when known. */
export function engineRows(settings: Settings, comfy: ComfyEngineState = { kind: 'idle' }): EngineRow[] {
  const { comfyui, sdScripts, ollama, hardware } = settings;
  const where = comfyui.mode === 'connected' ? comfyui.url : `managed · ${comfyui.folder || 'folder not set'}`;
  const preset = hardware.profile === 'custom' ? 'Custom' : hardwarePresets[hardware.profile].label;
  return [
    {
      id: 'comfyui',
      label: 'ComfyUI',
      description: comfy.kind === 'idle' ? where : `${comfyStatus(comfy)} · ${where}`,
      icon: 'symbol-color',
      settingsQuery: 'studionova.comfyui',
      details: [
        ['Status', comfyStatus(comfy)],
        ...(comfy.kind === 'ready' ? [['Device', describeDevice(comfy.stats).name] as const, ...describeVersions(comfy.stats)] : []),
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

function comfyStatus(state: ComfyEngineState): string {
  switch (state.kind) {
    case 'idle':
      return 'not connected yet';
    case 'starting':
      return `starting: ${state.phase}`;
    case 'ready':
      return `ready at ${state.url}`;
    case 'unhealthy':
      return 'not answering';
    case 'unreachable':
      return 'not reachable';
    case 'crashed':
      return 'crashed';
    case 'stopped':
      return 'stopped';
  }
}
