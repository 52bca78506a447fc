import type { TrainingConfigField } from '../../src/shared/protocol/training';

/** The config fields the form shows; the dataset and the regularization set come with the form, not typed. */
export type FormField = Exclude<TrainingConfigField, 'preset' | 'datasetId' | 'regDatasetId'>;

export type FieldKind = 'text' | 'whole' | 'decimal' | 'choice' | 'toggle' | 'lines';

export type FormGroupId = 'basics' | 'network' | 'optimizer' | 'advanced';

export interface FieldSpec {
  readonly key: FormField;
  readonly label: string;
  readonly kind: FieldKind;
  readonly group: FormGroupId;
  readonly choices?: readonly { readonly value: string; readonly label: string }[];
  /** A line under the field: the unit, or what the value does. */
  readonly hint?: string;
}

export const formGroups: readonly { readonly id: FormGroupId; readonly label: string }[] = [
  { id: 'basics', label: 'Basics' },
  { id: 'network', label: 'Network' },
  { id: 'optimizer', label: 'Optimizer' },
  { id: 'advanced', label: 'Advanced' },
];

const same = (...values: string[]): { value: string; label: string }[] => values.map((value) => ({ value, label: value }));

export const formFields: readonly FieldSpec[] = [
  { key: 'baseModel', label: 'Base model', kind: 'text', group: 'basics', hint: 'Absolute path of the .safetensors or .ckpt checkpoint to train on.' },
  { key: 'baseModelVersion', label: 'Model family', kind: 'choice', group: 'basics', choices: [{ value: 'sd15', label: 'Stable Diffusion 1.5' }, { value: 'sdxl', label: 'SDXL' }] },
  { key: 'outputName', label: 'Output name', kind: 'text', group: 'basics', hint: 'The LoRA file’s name, without .safetensors.' },
  { key: 'maxTrainSteps', label: 'Steps', kind: 'whole', group: 'basics' },
  { key: 'saveEveryNSteps', label: 'Save a checkpoint every', kind: 'whole', group: 'basics', hint: 'Steps; 0 saves only the final file.' },
  { key: 'resolution', label: 'Resolution', kind: 'whole', group: 'basics', hint: 'Pixels, square.' },
  { key: 'batchSize', label: 'Batch size', kind: 'whole', group: 'basics' },
  { key: 'repeats', label: 'Repeats', kind: 'whole', group: 'basics', hint: 'How often each image is seen per epoch.' },
  { key: 'networkDim', label: 'Dim (rank)', kind: 'whole', group: 'network' },
  { key: 'networkAlpha', label: 'Alpha', kind: 'decimal', group: 'network', hint: 'Scales the LoRA’s weights by alpha ÷ dim.' },
  { key: 'optimizer', label: 'Optimizer', kind: 'choice', group: 'optimizer', choices: same('AdamW', 'AdamW8bit', 'Lion', 'Prodigy', 'Adafactor') },
  { key: 'learningRate', label: 'Learning rate', kind: 'decimal', group: 'optimizer' },
  { key: 'unetLr', label: 'U-Net learning rate', kind: 'decimal', group: 'optimizer' },
  { key: 'textEncoderLr', label: 'Text encoder learning rate', kind: 'decimal', group: 'optimizer' },
  { key: 'lrScheduler', label: 'Scheduler', kind: 'choice', group: 'optimizer', choices: same('constant', 'constant_with_warmup', 'cosine', 'cosine_with_restarts', 'linear') },
  { key: 'lrWarmupSteps', label: 'Warmup steps', kind: 'whole', group: 'optimizer' },
  { key: 'mixedPrecision', label: 'Mixed precision', kind: 'choice', group: 'optimizer', choices: same('no', 'fp16', 'bf16') },
  { key: 'savePrecision', label: 'Save precision', kind: 'choice', group: 'optimizer', choices: same('float', 'fp16', 'bf16') },
  { key: 'seed', label: 'Seed', kind: 'whole', group: 'advanced' },
  { key: 'gradientCheckpointing', label: 'Gradient checkpointing', kind: 'toggle', group: 'advanced', hint: 'Less memory, slower steps.' },
  { key: 'cacheLatents', label: 'Cache latents', kind: 'toggle', group: 'advanced' },
  { key: 'attention', label: 'Attention', kind: 'choice', group: 'advanced', choices: same('sdpa', 'xformers', 'none') },
  { key: 'tensorboard', label: 'TensorBoard logs', kind: 'toggle', group: 'advanced', hint: 'Per-step loss for the chart, instead of the progress bar’s average only.' },
  { key: 'sampleEveryNSteps', label: 'Sample every', kind: 'whole', group: 'advanced', hint: 'Steps; 0 makes no sample images.' },
  { key: 'samplePrompts', label: 'Sample prompts', kind: 'lines', group: 'advanced', hint: 'One per line: text --n negative --d seed.' },
];

const specs = new Map(formFields.map((spec) => [spec.key as string, spec]));

export function fieldSpec(field: string): FieldSpec | undefined {
  return specs.get(field);
}
