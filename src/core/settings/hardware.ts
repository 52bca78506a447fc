/** What the machine can do: enforced before anything is queued, never just advice. */
export interface HardwareLimits {
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly trainBatchSize: number;
  /** Generation and training share one GPU: no generation while a training runs. */
  readonly exclusiveGpu: boolean;
}

export const hardwarePresets = {
  'apple-m1-16gb': { label: 'Apple M1, 16 GB', limits: { maxWidth: 512, maxHeight: 768, trainBatchSize: 1, exclusiveGpu: true } },
  'nvidia-12gb': { label: 'NVIDIA, 12 GB', limits: { maxWidth: 768, maxHeight: 1024, trainBatchSize: 2, exclusiveGpu: true } },
  'nvidia-24gb': { label: 'NVIDIA, 24 GB', limits: { maxWidth: 1024, maxHeight: 1536, trainBatchSize: 4, exclusiveGpu: false } },
} as const satisfies Record<string, { label: string; limits: HardwareLimits }>;

export type HardwarePresetId = keyof typeof hardwarePresets;
export type HardwareProfileId = HardwarePresetId | 'custom';

export function describeLimits(limits: HardwareLimits): string {
  const gpu = limits.exclusiveGpu ? 'GPU exclusive' : 'GPU shared';
  return `${limits.maxWidth}×${limits.maxHeight}, batch ${limits.trainBatchSize}, ${gpu}`;
}

/** The profile's limits with the name messages use ("over the Apple M1, 16 GB limit of 512×768"). */
export function hardwareProfile(profile: HardwareProfileId, limits: HardwareLimits): { readonly limits: HardwareLimits; readonly label: string } {
  return { limits, label: profile === 'custom' ? 'custom hardware' : hardwarePresets[profile].label };
}
