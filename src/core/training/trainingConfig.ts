import path from 'node:path';
import * as z from 'zod/mini';
import type { HardwareLimits } from '../settings/hardware';
import { InvalidInputError } from '../util/errors';
import type { TrainingConfig } from './model';

/**
 * Training presets, the config schema and the rules a config must pass before it is launched.
 * Pure: nothing here touches the file system (the runner checks that the base model exists).
 */

/** Lists every member of a union, so a new member in model.ts breaks the build where it is listed. */
export const allOf =
  <T extends string>() =>
  <const A extends readonly T[]>(values: A & ([Exclude<T, A[number]>] extends [never] ? unknown : never)): A =>
    values;

export const optimizers = allOf<TrainingConfig['optimizer']>()(['AdamW', 'AdamW8bit', 'Lion', 'Prodigy', 'Adafactor']);
export const lrSchedulers = allOf<TrainingConfig['lrScheduler']>()(['constant', 'cosine', 'cosine_with_restarts', 'linear', 'constant_with_warmup']);
export const mixedPrecisions = allOf<TrainingConfig['mixedPrecision']>()(['no', 'fp16', 'bf16']);
export const savePrecisions = allOf<TrainingConfig['savePrecision']>()(['float', 'fp16', 'bf16']);
export const attentions = allOf<TrainingConfig['attention']>()(['sdpa', 'xformers', 'none']);
export const baseModelVersions = allOf<TrainingConfig['baseModelVersion']>()(['sd15', 'sdxl']);

const trainingConfigShape = {
  preset: z.string(),
  baseModel: z.string(),
  datasetId: z.string(),
  regDatasetId: z.nullable(z.string()),
  outputName: z.string(),
  baseModelVersion: z.enum(baseModelVersions),
  resolution: z.number(),
  batchSize: z.number(),
  repeats: z.number(),
  maxTrainSteps: z.number(),
  saveEveryNSteps: z.number(),
  networkDim: z.number(),
  networkAlpha: z.number(),
  learningRate: z.number(),
  unetLr: z.number(),
  textEncoderLr: z.number(),
  optimizer: z.enum(optimizers),
  lrScheduler: z.enum(lrSchedulers),
  lrWarmupSteps: z.number(),
  mixedPrecision: z.enum(mixedPrecisions),
  savePrecision: z.enum(savePrecisions),
  seed: z.number(),
  gradientCheckpointing: z.boolean(),
  cacheLatents: z.boolean(),
  attention: z.enum(attentions),
  sampleEveryNSteps: z.number(),
  samplePrompts: z.array(z.string()),
  tensorboard: z.boolean(),
} satisfies Record<keyof TrainingConfig, z.ZodMiniType>;

/**
 * The shape of a `TrainingConfig` (types and enums only). Ranges and the hardware rules are
 * `validateTrainingConfig`'s, so a run.json written by an older version with a value a newer
 * rule refuses still reads back.
 */
export const trainingConfigSchema = z.object(trainingConfigShape) satisfies z.ZodMiniType<TrainingConfig>;

/** What a config is checked against: the hardware profile's limits and the name messages use. */
export interface TrainingHardware {
  readonly limits: HardwareLimits;
  /** As `hardwareProfile()` gives it: "Apple M1, 16 GB", "custom hardware". */
  readonly label: string;
  /** An Apple GPU (MPS). When absent, told from the label ("Apple …", "Mac …"). */
  readonly apple?: boolean;
}

export type ProblemSeverity = 'error' | 'warning';

export interface FieldProblem {
  readonly field: keyof TrainingConfig;
  readonly message: string;
  /** An error stops the launch; a warning is shown and the user may go on. */
  readonly severity: ProblemSeverity;
}

/** The fields a preset sets; the rest come from the dataset, the character and the user. */
export type PresetSettings = Omit<TrainingConfig, 'preset' | 'baseModel' | 'datasetId' | 'regDatasetId' | 'outputName' | 'repeats' | 'samplePrompts'>;

export interface TrainingPreset {
  readonly id: string;
  readonly label: string;
  /** One line for a picker. */
  readonly description: string;
  readonly settings: PresetSettings;
}

/**
 * product.md's SD 1.5 defaults: dim 32, alpha 16, 512 px, batch 1, AdamW, 1000 steps (of the
 * 800–1200 asked), a checkpoint and sample images every 200 steps. No mixed precision: with the
 * accelerate sd-scripts pins, fp16 and bf16 raise on Apple GPUs, and fp32 also runs on 8 GB
 * NVIDIA cards with gradient checkpointing and cached latents. Files are saved as fp16 (half the
 * size, no loss that matters for a LoRA).
 */
const sd15Defaults: PresetSettings = {
  baseModelVersion: 'sd15',
  resolution: 512,
  batchSize: 1,
  maxTrainSteps: 1000,
  saveEveryNSteps: 200,
  networkDim: 32,
  networkAlpha: 16,
  learningRate: 1e-4,
  unetLr: 1e-4,
  textEncoderLr: 5e-5,
  optimizer: 'AdamW',
  // Decays towards the end, so later checkpoints settle; no warmup keeps it valid if switched to constant.
  lrScheduler: 'cosine',
  lrWarmupSteps: 0,
  mixedPrecision: 'no',
  savePrecision: 'fp16',
  seed: 42,
  gradientCheckpointing: true,
  cacheLatents: true,
  attention: 'sdpa',
  // Sample images beside each checkpoint, to choose the best one by eye.
  sampleEveryNSteps: 200,
  tensorboard: true,
};

export const trainingPresets: readonly TrainingPreset[] = [
  {
    id: 'sd15-8gb',
    label: 'SD 1.5 · Apple M1 / 8 GB',
    description: 'The studio defaults: dim 32, alpha 16, 512 px, batch 1, AdamW, 1000 steps, full precision (works on Apple GPUs).',
    settings: sd15Defaults,
  },
  {
    id: 'sd15-12gb',
    label: 'SD 1.5 · NVIDIA 12 GB',
    description: 'Batch 2 with fp16 mixed precision: about twice the images per step on a 12 GB NVIDIA card.',
    settings: { ...sd15Defaults, batchSize: 2, mixedPrecision: 'fp16' },
  },
  {
    id: 'sd15-24gb',
    label: 'SD 1.5 · NVIDIA 24 GB',
    description: 'Batch 4, dim 64, alpha 32, bf16 mixed precision, no gradient checkpointing: more detail, faster steps.',
    settings: { ...sd15Defaults, batchSize: 4, networkDim: 64, networkAlpha: 32, mixedPrecision: 'bf16', gradientCheckpointing: false },
  },
  {
    id: 'sdxl-24gb',
    label: 'SDXL · NVIDIA 24 GB',
    description: 'SDXL at 1024 px, batch 1, dim 32, bf16 mixed precision, gradient checkpointing (sdxl_train_network.py).',
    settings: { ...sd15Defaults, baseModelVersion: 'sdxl', resolution: 1024, mixedPrecision: 'bf16' },
  },
];

/** The preset a new training starts from: the user's stated SD 1.5 defaults, which fit every profile. */
export const defaultPresetId = 'sd15-8gb';

export function trainingPreset(id: string): TrainingPreset | undefined {
  return trainingPresets.find((preset) => preset.id === id);
}

export interface PresetFit {
  readonly preset: TrainingPreset;
  readonly fits: boolean;
  /** Why it does not fit (the first error the validator gives), or null. */
  readonly reason: string | null;
}

/** Every preset, with whether it passes the hardware rules of the profile (batch, size, precision). */
export function presetsFor(hardware: TrainingHardware): readonly PresetFit[] {
  return trainingPresets.map((preset) => {
    const config = defaultTrainingConfig({ preset: preset.id, datasetId: 'dataset', outputName: 'lora', baseModel: '/base.safetensors' });
    const error = validateTrainingConfig(config, hardware).find((problem) => problem.severity === 'error');
    return { preset, fits: !error, reason: error?.message ?? null };
  });
}

export interface DefaultConfigInput {
  readonly preset: string;
  readonly datasetId: string;
  readonly outputName: string;
  readonly baseModel: string;
  readonly regDatasetId?: string | null | undefined;
  /** The dataset's repeats; 10 when it has none. */
  readonly repeats?: number | undefined;
  /** The class word the LoRA is trained against ("woman", "man"). */
  readonly classPrompt?: string | undefined;
  /** The character's trigger word. */
  readonly trigger?: string | undefined;
}

const defaultRepeats = 10;
const sampleNegative = 'lowres, bad anatomy, bad hands, blurry';
const sampleScenes = ['full body, standing', 'upper body, looking at viewer, smiling', 'sitting, outdoors, daylight'];

/** A config from a preset, with sample prompts of the character (trigger and class) at the training size. */
export function defaultTrainingConfig(input: DefaultConfigInput): TrainingConfig {
  const preset = trainingPreset(input.preset);
  if (!preset) {
    throw new InvalidInputError(`There is no training preset "${input.preset}". Choose one of: ${trainingPresets.map((p) => p.id).join(', ')}.`);
  }
  const settings = preset.settings;
  const subject = [input.trigger, input.classPrompt].map((part) => part?.trim()).filter(Boolean).join(', ') || input.outputName;
  const size = settings.resolution;
  const samplePrompts = sampleScenes.map(
    (scene, i) => `${subject}, ${scene} --n ${sampleNegative} --w ${size} --h ${size} --d ${1234 + i} --l 7 --s 24`,
  );
  return {
    preset: preset.id,
    baseModel: input.baseModel,
    datasetId: input.datasetId,
    regDatasetId: input.regDatasetId ?? null,
    outputName: input.outputName,
    repeats: input.repeats ?? defaultRepeats,
    ...settings,
    samplePrompts,
  };
}

/** Output names become file and folder names, and an argument that must not look like a flag. */
const safeName = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const maxNameLength = 100;
/** Dataset ids name a folder under datasets/. */
const safeId = /^[^\\/:*?"<>|\s][^\\/:*?"<>|]*$/;
const maxSeed = 2 ** 32 - 1;
/** Sample prompt options sd-scripts reads (`line_to_prompt_dict`); others are silently ignored. */
const samplePromptOptions = new Set(['n', 'w', 'h', 'd', 's', 'l', 'g', 'ss', 'cn', 'ctr', 'rcfg', 'fs']);
const defaultSampleSize = 512;

/**
 * Every rule a config must pass before launch, field by field. Errors are what sd-scripts would
 * refuse or crash on, what the hardware profile forbids, or values that cannot be right;
 * warnings are legal values that are probably a mistake. The messages say what to do.
 */
export function validateTrainingConfig(config: TrainingConfig, hardware: TrainingHardware): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const error = (field: keyof TrainingConfig, message: string): void => void problems.push({ field, message, severity: 'error' });
  const warning = (field: keyof TrainingConfig, message: string): void => void problems.push({ field, message, severity: 'warning' });

  // A config from a webview or a hand-edited run.json may not even have the right types.
  const badShape = new Set<keyof TrainingConfig>();
  for (const [field, schema] of Object.entries(trainingConfigShape) as [keyof TrainingConfig, z.ZodMiniType][]) {
    if (schema.safeParse((config as unknown as Record<string, unknown>)[field]).success) continue;
    badShape.add(field);
    error(field, shapeMessage(field));
  }
  const ok = (field: keyof TrainingConfig): boolean => !badShape.has(field);
  const isInt = (value: number, min: number, max: number): boolean => Number.isInteger(value) && value >= min && value <= max;
  const apple = hardware.apple ?? /\b(apple|mac)/i.test(hardware.label);
  const { limits, label } = hardware;
  const maxSide = Math.min(limits.maxWidth, limits.maxHeight);

  if (ok('baseModel')) {
    const file = config.baseModel.trim();
    if (!file) error('baseModel', 'Choose the base checkpoint to train on (a .safetensors or .ckpt file).');
    else if (!path.posix.isAbsolute(file) && !path.win32.isAbsolute(file)) error('baseModel', `The base model must be a full path to the file, not "${file}".`);
    else if (!/\.(safetensors|ckpt)$/i.test(file)) error('baseModel', `The base model must be a .safetensors or .ckpt file; "${path.basename(file)}" is neither.`);
  }
  if (ok('datasetId') && !isSafeId(config.datasetId)) error('datasetId', 'Choose the dataset to train on.');
  if (ok('regDatasetId') && config.regDatasetId !== null) {
    if (!isSafeId(config.regDatasetId)) error('regDatasetId', `"${config.regDatasetId}" is not a dataset id; choose a regularization dataset or none.`);
    else if (config.regDatasetId === config.datasetId) error('regDatasetId', 'The regularization dataset must not be the training dataset; choose its -reg dataset or none.');
  }
  if (ok('outputName')) {
    const name = config.outputName;
    if (!safeName.test(name) || name.length > maxNameLength || name.endsWith('.')) {
      error('outputName', `"${name}" cannot be a file name: use letters, digits, "_", "-" and "." (not first or last), at most ${maxNameLength} characters.`);
    }
  }

  if (ok('resolution')) {
    const size = config.resolution;
    if (!isInt(size, 256, 2048) || size % 64 !== 0) error('resolution', `The resolution must be a multiple of 64 from 256 to 2048 pixels, not ${size}.`);
    else if (size > maxSide) error('resolution', `${size} px is over the ${label} limit of ${maxSide} px per side. Lower the resolution to ${maxSide} or less, or choose a larger hardware profile (studionova.hardware.profile).`);
    else if (ok('baseModelVersion') && config.baseModelVersion === 'sdxl' && size < 1024) warning('resolution', `SDXL was trained at 1024 px; ${size} px gives weaker results.`);
    else if (ok('baseModelVersion') && config.baseModelVersion === 'sd15' && size > 768) warning('resolution', `SD 1.5 was trained at 512 px; ${size} px is slow and rarely better.`);
  }
  if (ok('batchSize')) {
    const batch = config.batchSize;
    if (!isInt(batch, 1, 64)) error('batchSize', `The batch size must be a whole number from 1 to 64, not ${batch}.`);
    else if (batch > limits.trainBatchSize) {
      error('batchSize', `Batch size ${batch} is over the ${label} limit of ${limits.trainBatchSize}. Lower it to ${limits.trainBatchSize}, or choose a larger hardware profile (studionova.hardware.profile).`);
    }
  }
  if (ok('repeats') && !isInt(config.repeats, 1, 1000)) error('repeats', `Repeats must be a whole number from 1 to 1000, not ${config.repeats}.`);

  const stepsOk = ok('maxTrainSteps') && isInt(config.maxTrainSteps, 1, 100_000);
  if (ok('maxTrainSteps') && !stepsOk) error('maxTrainSteps', `The number of steps must be a whole number from 1 to 100000, not ${config.maxTrainSteps}.`);
  if (ok('saveEveryNSteps')) {
    const every = config.saveEveryNSteps;
    if (!isInt(every, 1, 100_000)) error('saveEveryNSteps', `Save a checkpoint every 1 or more whole steps, not ${every}.`);
    else if (stepsOk && every > config.maxTrainSteps) error('saveEveryNSteps', `A checkpoint every ${every} steps never comes in a ${config.maxTrainSteps}-step training; use ${config.maxTrainSteps} or less.`);
  }

  if (ok('networkDim') && !isInt(config.networkDim, 1, 1024)) error('networkDim', `The network dim (rank) must be a whole number from 1 to 1024, not ${config.networkDim}.`);
  if (ok('networkAlpha')) {
    const alpha = config.networkAlpha;
    if (!(alpha > 0 && alpha <= 1024)) error('networkAlpha', `The network alpha must be above 0 and at most 1024, not ${alpha}.`);
    else if (ok('networkDim') && alpha > config.networkDim) warning('networkAlpha', `Alpha ${alpha} above dim ${config.networkDim} scales the LoRA up and tends to overcook; alpha is usually half the dim.`);
  }

  const rate = (field: 'learningRate' | 'unetLr' | 'textEncoderLr', name: string, zeroAllowed: boolean): void => {
    if (!ok(field)) return;
    const value = config[field];
    const low = zeroAllowed ? value >= 0 : value > 0;
    if (!(low && value <= 1)) error(field, `The ${name} must be ${zeroAllowed ? '0 or more' : 'above 0'} and at most 1, not ${value}.`);
  };
  rate('learningRate', 'learning rate', false);
  rate('unetLr', 'U-Net learning rate', false);
  // 0 trains the U-Net only (--network_train_unet_only).
  rate('textEncoderLr', 'text encoder learning rate', true);

  if (ok('optimizer')) {
    if (apple && config.optimizer === 'AdamW8bit') error('optimizer', `AdamW8bit needs bitsandbytes, which is for NVIDIA GPUs; on ${label} use AdamW.`);
    if (config.optimizer === 'Prodigy' && (['learningRate', 'unetLr', 'textEncoderLr'] as const).some((f) => ok(f) && config[f] > 0 && config[f] <= 0.1)) {
      warning('optimizer', 'Prodigy finds its own step size and expects learning rates of 1.0; with lower ones it learns very slowly.');
    }
    if (config.optimizer === 'Adafactor') warning('optimizer', 'Adafactor picks its own learning rate: the U-Net and text encoder rates are ignored.');
  }
  if (ok('lrScheduler') && ok('lrWarmupSteps')) {
    const warmup = config.lrWarmupSteps;
    if (!Number.isInteger(warmup) || warmup < 0) error('lrWarmupSteps', `Warmup steps must be a whole number, 0 or more, not ${warmup}.`);
    else if (stepsOk && warmup >= config.maxTrainSteps) error('lrWarmupSteps', `${warmup} warmup steps leave no training in ${config.maxTrainSteps} steps; use fewer.`);
    else if (warmup > 0 && config.lrScheduler === 'constant') error('lrWarmupSteps', 'The constant scheduler takes no warmup (sd-scripts stops with an error): set warmup to 0, or use constant_with_warmup.');
    else if (warmup > 0 && ok('optimizer') && config.optimizer === 'Adafactor') error('lrWarmupSteps', 'Adafactor runs its own schedule, which takes no warmup: set warmup to 0.');
    else if (warmup === 0 && config.lrScheduler === 'constant_with_warmup') warning('lrWarmupSteps', 'constant_with_warmup with 0 warmup steps is plain constant; set the warmup steps or choose constant.');
  }
  if (ok('mixedPrecision') && apple && config.mixedPrecision !== 'no') {
    error('mixedPrecision', `${config.mixedPrecision} mixed precision fails on ${label} (the accelerate sd-scripts uses refuses it on Apple GPUs): choose "no".`);
  }
  if (ok('seed') && !isInt(config.seed, 0, maxSeed)) error('seed', `The seed must be a whole number from 0 to ${maxSeed}, not ${config.seed}.`);
  if (ok('attention') && apple && config.attention === 'xformers') error('attention', `xformers does not exist for ${label}; choose sdpa.`);

  if (ok('sampleEveryNSteps')) {
    const every = config.sampleEveryNSteps;
    if (!isInt(every, 0, 100_000)) error('sampleEveryNSteps', `Sample every 0 (never) or more whole steps, not ${every}.`);
    else if (stepsOk && every > config.maxTrainSteps) warning('sampleEveryNSteps', `Sampling every ${every} steps never comes in a ${config.maxTrainSteps}-step training.`);
    else if (every > 0 && ok('samplePrompts') && config.samplePrompts.length === 0) error('samplePrompts', 'Sampling is on but there is no sample prompt: add one, or set sampling to 0.');
  }
  if (ok('samplePrompts')) {
    config.samplePrompts.forEach((line, i) => {
      for (const problem of samplePromptProblems(line, limits, label)) problems.push({ field: 'samplePrompts', message: `Sample prompt ${i + 1}: ${problem.message}`, severity: problem.severity });
    });
  }
  return problems;
}

function isSafeId(id: string): boolean {
  return safeId.test(id) && id !== '.' && id !== '..';
}

function shapeMessage(field: keyof TrainingConfig): string {
  const def = trainingConfigShape[field]._zod.def;
  const expected: Record<string, string> = { string: 'text', number: 'a number', boolean: 'true or false', array: 'a list of lines', nullable: 'a dataset id or null' };
  const options = 'options' in trainingConfigShape[field] ? (trainingConfigShape[field] as { options: readonly string[] }).options : undefined;
  return `${field} must be ${options ? `one of ${options.join(', ')}` : (expected[def.type] ?? 'set')}.`;
}

/** What sd-scripts would do with one sample prompt line (split on " --", `line_to_prompt_dict`). */
function samplePromptProblems(line: string, limits: HardwareLimits, label: string): { message: string; severity: ProblemSeverity }[] {
  if (/[\r\n]/.test(line)) return [{ message: 'must be a single line.', severity: 'error' }];
  const text = line.trim();
  if (!text) return [{ message: 'is empty: write a prompt or remove the line.', severity: 'error' }];
  if (text.startsWith('#')) return [{ message: 'starts with "#", so sd-scripts skips it as a comment.', severity: 'warning' }];
  const [prompt, ...options] = text.split(' --');
  const problems: { message: string; severity: ProblemSeverity }[] = [];
  // sd-scripts trims the line first, so a leading option would become the prompt text.
  if (prompt!.startsWith('--')) problems.push({ message: 'has options but no prompt text before them.', severity: 'error' });
  const size = { w: defaultSampleSize, h: defaultSampleSize };
  for (const option of options) {
    const match = /^(\S+)\s*(.*)$/.exec(option);
    const key = match?.[1]?.toLowerCase() ?? '';
    const value = match?.[2]?.trim() ?? '';
    if (!samplePromptOptions.has(key)) {
      problems.push({ message: `"--${key}" is not a sample option sd-scripts knows (n, w, h, d, s, l, ss…); it is ignored.`, severity: 'warning' });
    } else if (['w', 'h', 'd', 's'].includes(key) && !/^\d+$/.test(value)) {
      problems.push({ message: `"--${key}" needs a whole number, not "${value}".`, severity: 'error' });
    } else if (['l', 'g'].includes(key) && !/^\d+(\.\d+)?$/.test(value)) {
      problems.push({ message: `"--${key}" needs a number, not "${value}".`, severity: 'error' });
    } else if (key === 'w' || key === 'h') {
      size[key] = Number(value);
    }
  }
  if (size.w > limits.maxWidth || size.h > limits.maxHeight) {
    problems.push({ message: `${size.w}×${size.h} is over the ${label} limit of ${limits.maxWidth}×${limits.maxHeight}; lower --w and --h.`, severity: 'error' });
  }
  return problems;
}
