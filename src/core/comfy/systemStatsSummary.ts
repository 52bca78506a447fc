import type { SystemStats } from './protocol';

export interface DeviceSummary {
  /** `NVIDIA GeForce RTX 4090` from `cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync`. */
  readonly name: string;
  readonly freeVramGb: number | undefined;
  readonly totalVramGb: number | undefined;
}

/** What the status bar says about ComfyUI's device. */
export function describeDevice(stats: SystemStats): DeviceSummary {
  const device = stats.devices[0];
  if (!device) return { name: 'no device', freeVramGb: undefined, totalVramGb: undefined };
  const name = device.name.replace(/^[a-z]+:\d+\s+/, '').replace(/\s+:\s+\S+$/, '').trim() || device.type;
  const gb = (bytes: number): number | undefined => (bytes > 0 ? Math.round((bytes / 1024 ** 3) * 10) / 10 : undefined);
  return { name, freeVramGb: gb(device.vram_free), totalVramGb: gb(device.vram_total) };
}

/** The versions the Engines view lists. */
export function describeVersions(stats: SystemStats): Array<readonly [string, string]> {
  return [
    ['ComfyUI', stats.system.comfyui_version],
    ['PyTorch', stats.system.pytorch_version],
    ['Python', stats.system.python_version.split(' ')[0] ?? stats.system.python_version],
  ];
}
