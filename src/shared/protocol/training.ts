import * as z from 'zod/mini';
import { defineCommand, defineNotification, defineRequest } from './ipc';

/** The webview type of the training panel, for the panel and its serializer. */
export const trainingViewType = 'studionova.training';

/** Bounds on what either side may send: generous for real runs, small enough that a bad message costs little. */
export const trainingLimits = {
  /** Loss points in one message; the host thins a longer series evenly before it sends it. */
  lossPoints: 262_144,
  /** Log lines in one message, and the tail the panel keeps. */
  logLines: 1_000,
  logLineLength: 4_000,
  path: 4_096,
  name: 200,
  message: 4_000,
  prompt: 2_000,
  samplePrompts: 64,
  trialPrompts: 16,
  trialSeeds: 8,
  /** Images of one comparison grid, made or missing. */
  trialImages: 4_000,
  checkpoints: 1_000,
  samples: 10_000,
  presets: 64,
  problems: 200,
  commandArgs: 1_000,
} as const;

const text = (max: number): z.ZodMiniString<string> => z.string().check(z.maxLength(max));
const nonEmpty = (max: number): z.ZodMiniString<string> => z.string().check(z.minLength(1), z.maxLength(max));

/**
 * The form's values, as `TrainingConfig` in core/training/model.ts (a test keeps the two the same).
 * Numbers are only checked to be numbers here: ranges are the validator's, whose answers say what to type.
 */
export const trainingConfigSchema = z.object({
  preset: text(trainingLimits.name),
  baseModel: text(trainingLimits.path),
  datasetId: nonEmpty(trainingLimits.name),
  regDatasetId: z.nullable(text(trainingLimits.name)),
  outputName: text(trainingLimits.name),
  baseModelVersion: z.enum(['sd15', 'sdxl']),
  resolution: z.int(),
  batchSize: z.int(),
  repeats: z.int(),
  maxTrainSteps: z.int(),
  saveEveryNSteps: z.int(),
  networkDim: z.int(),
  networkAlpha: z.number(),
  learningRate: z.number(),
  unetLr: z.number(),
  textEncoderLr: z.number(),
  optimizer: z.enum(['AdamW', 'AdamW8bit', 'Lion', 'Prodigy', 'Adafactor']),
  lrScheduler: z.enum(['constant', 'cosine', 'cosine_with_restarts', 'linear', 'constant_with_warmup']),
  lrWarmupSteps: z.int(),
  mixedPrecision: z.enum(['no', 'fp16', 'bf16']),
  savePrecision: z.enum(['float', 'fp16', 'bf16']),
  seed: z.int(),
  gradientCheckpointing: z.boolean(),
  cacheLatents: z.boolean(),
  attention: z.enum(['sdpa', 'xformers', 'none']),
  sampleEveryNSteps: z.int(),
  samplePrompts: z.array(text(trainingLimits.prompt)).check(z.maxLength(trainingLimits.samplePrompts)),
  tensorboard: z.boolean(),
});
export type TrainingConfigWire = z.infer<typeof trainingConfigSchema>;
export type TrainingConfigField = keyof TrainingConfigWire;

/** What the validator says about one field (`field` is a TrainingConfig key, or '' for the config as a whole). Errors block Start; warnings do not. */
export const fieldProblemSchema = z.object({
  field: text(trainingLimits.name),
  message: text(trainingLimits.message),
  severity: z.enum(['error', 'warning']),
});
export type FieldProblem = z.infer<typeof fieldProblemSchema>;
const problemsSchema = z.array(fieldProblemSchema).check(z.maxLength(trainingLimits.problems));

/** A starting point for the form. `values` are the parameters it sets; the dataset, base model and output name stay the form's. */
export const trainingPresetSchema = z.object({
  id: nonEmpty(trainingLimits.name),
  label: text(trainingLimits.name),
  description: text(trainingLimits.message),
  /** Within the hardware profile's limits; a preset that is not cannot be chosen. */
  fits: z.boolean(),
  values: z.partial(trainingConfigSchema),
});
export type TrainingPreset = z.infer<typeof trainingPresetSchema>;

export const runStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export type RunStatusWire = z.infer<typeof runStatusSchema>;

export const failureCauseSchema = z.enum(['out-of-memory', 'missing-base-model', 'no-images', 'bad-config', 'missing-package', 'no-final-file', 'exit-code', 'could-not-start']);

export const checkpointRecordSchema = z.object({
  file: text(trainingLimits.path),
  step: z.int(),
  final: z.boolean(),
  bytes: z.number(),
  loss: z.nullable(z.number()),
});

export const sampleRecordSchema = z.object({
  file: text(trainingLimits.path),
  step: z.nullable(z.int()),
  promptIndex: z.int(),
});

/** `run.json`, as RunRecord in core/training/model.ts. */
export const runRecordSchema = z.object({
  version: z.literal(1),
  id: nonEmpty(trainingLimits.name),
  status: runStatusSchema,
  config: trainingConfigSchema,
  command: z.nullable(
    z.object({
      program: text(trainingLimits.path),
      args: z.array(text(trainingLimits.path)).check(z.maxLength(trainingLimits.commandArgs)),
      cwd: text(trainingLimits.path),
    }),
  ),
  createdAt: text(64),
  startedAt: z.nullable(text(64)),
  endedAt: z.nullable(text(64)),
  step: z.int(),
  totalSteps: z.nullable(z.int()),
  checkpoints: z.array(checkpointRecordSchema).check(z.maxLength(trainingLimits.checkpoints)),
  samples: z.array(sampleRecordSchema).check(z.maxLength(trainingLimits.samples)),
  failure: z.nullable(z.object({ cause: failureCauseSchema, message: text(trainingLimits.message) })),
  resumeFrom: z.nullable(text(trainingLimits.path)),
  resumes: z.nullable(text(trainingLimits.name)),
  chosen: z.nullable(z.object({ file: text(trainingLimits.path), lora: text(trainingLimits.path), at: text(64) })),
});
export type RunRecordWire = z.infer<typeof runRecordSchema>;

/** The live figures, as TrainingProgress in core/training/model.ts. */
export const trainingProgressSchema = z.object({
  step: z.int(),
  total: z.int(),
  itPerSec: z.nullable(z.number()),
  etaSec: z.nullable(z.number()),
  averageLoss: z.nullable(z.number()),
  epoch: z.nullable(z.int()),
  epochs: z.nullable(z.int()),
});
export type TrainingProgressWire = z.infer<typeof trainingProgressSchema>;

/** A sample image of the run with the webview URI to show it by. */
export const sampleViewSchema = z.object({
  file: text(trainingLimits.path),
  step: z.nullable(z.int()),
  promptIndex: z.int(),
  uri: text(trainingLimits.path * 2),
});
export type SampleView = z.infer<typeof sampleViewSchema>;

const lossValues = z.array(z.nullable(z.number())).check(z.maxLength(trainingLimits.lossPoints));

/**
 * A loss series as parallel arrays, not one object per point (100,000 points stay a few hundred KB).
 * A loss or average that is unknown or not a number (a diverged run prints `nan`) is null.
 */
export const lossSeriesSchema = z.object({
  steps: z.array(z.number()).check(z.maxLength(trainingLimits.lossPoints)),
  losses: lossValues,
  averages: lossValues,
});
export type LossSeriesWire = z.infer<typeof lossSeriesSchema>;

/** The whole series so far: `total` points, of which these arrays may be an even thinning. */
export const lossSnapshotSchema = z.object({ ...lossSeriesSchema.shape, total: z.int().check(z.minimum(0)) });
export type LossSnapshot = z.infer<typeof lossSnapshotSchema>;

/** Points appended to the series; `from` is the index of the first in the whole series, so a repeat or a gap is recognised. */
export const lossAppendSchema = z.object({ ...lossSeriesSchema.shape, from: z.int().check(z.minimum(0)) });
export type LossAppend = z.infer<typeof lossAppendSchema>;

const logLinesSchema = z.array(text(trainingLimits.logLineLength)).check(z.maxLength(trainingLimits.logLines));

/** One cell of the checkpoint comparison grid. `checkpoint` is the checkpoint's file, relative to the run folder. */
export const trialCellSchema = z.object({
  checkpoint: text(trainingLimits.path),
  promptIndex: z.int().check(z.minimum(0)),
  seed: z.int(),
});
export type TrialCell = z.infer<typeof trialCellSchema>;

/** One image of the checkpoint comparison grid. */
export const trialImageSchema = z.object({
  ...trialCellSchema.shape,
  /** A webview URI. */
  image: text(trainingLimits.path * 2),
});
export type TrialImage = z.infer<typeof trialImageSchema>;

const trialPromptsSchema = z.array(nonEmpty(trainingLimits.prompt)).check(z.minLength(1), z.maxLength(trainingLimits.trialPrompts));
const trialSeedsSchema = z.array(z.int()).check(z.minLength(1), z.maxLength(trainingLimits.trialSeeds));

/** The comparison grid: rows are checkpoints, columns each prompt with each seed. */
export const trialGridSchema = z
  .object({
    checkpoints: z.array(text(trainingLimits.path)).check(z.maxLength(trainingLimits.checkpoints)),
    /** The loss at each of `checkpoints`, in the same order; null when unknown. */
    losses: z.array(z.nullable(z.number())).check(z.maxLength(trainingLimits.checkpoints)),
    prompts: trialPromptsSchema,
    seeds: trialSeedsSchema,
    images: z.array(trialImageSchema).check(z.maxLength(trainingLimits.trialImages)),
    /** Images the run's trials.json records whose file is gone: shown as missing, not as broken images. */
    missing: z.array(trialCellSchema).check(z.maxLength(trainingLimits.trialImages)),
    running: z.boolean(),
    /** Why the grid stopped before it was full; null while it runs or when it finished. */
    error: z.nullable(text(trainingLimits.message)),
  })
  .check(z.refine((grid) => grid.losses.length === grid.checkpoints.length, { message: 'one loss per checkpoint' }));
export type TrialGrid = z.infer<typeof trialGridSchema>;

/** A new run: the form, filled with the dataset's defaults. */
export const trainingFormBootstrapSchema = z.object({
  mode: z.literal('form'),
  datasetId: nonEmpty(trainingLimits.name),
  character: z.nullable(z.object({ id: text(trainingLimits.name), name: text(trainingLimits.name) })),
  presets: z.array(trainingPresetSchema).check(z.maxLength(trainingLimits.presets)),
  config: trainingConfigSchema,
  /** The hardware profile's name, `Apple M1, 16 GB`. */
  hardware: text(trainingLimits.name),
  /** An untrusted folder starts no process: the form shows, Start does not. */
  trusted: z.boolean(),
});
export type TrainingFormBootstrap = z.infer<typeof trainingFormBootstrapSchema>;

/** A run, live or read back from its folder. */
export const trainingRunBootstrapSchema = z.object({
  mode: z.literal('run'),
  record: runRecordSchema,
  samples: z.array(sampleViewSchema).check(z.maxLength(trainingLimits.samples)),
  loss: lossSnapshotSchema,
  progress: z.nullable(trainingProgressSchema),
  logTail: logLinesSchema,
  /** The trainer is running in this window: cancel works, figures and loss stream. */
  live: z.boolean(),
  /** The comparison grid: the one being made in this panel, else the one read back from the run's trials.json. */
  trials: z.nullable(trialGridSchema),
  /** Why the run's trials.json could not be read back, said so the user can act; null when it could (or there is none). */
  trialsProblem: z.nullable(text(trainingLimits.message)),
  trusted: z.boolean(),
});
export type TrainingRunBootstrap = z.infer<typeof trainingRunBootstrapSchema>;

export const trainingBootstrapSchema = z.discriminatedUnion('mode', [trainingFormBootstrapSchema, trainingRunBootstrapSchema]);
export type TrainingBootstrap = z.infer<typeof trainingBootstrapSchema>;

/** What the webview keeps with VS Code's `setState`; the serializer reopens `runId` after a reload. */
export const trainingViewStateSchema = z.object({
  runId: z.nullable(text(trainingLimits.name)),
  /** Form mode: the dataset the form is for, and the values as typed (text, so a half-typed number survives). */
  datasetId: z.nullable(text(trainingLimits.name)),
  draft: z.nullable(z.record(z.string().check(z.maxLength(64)), text(trainingLimits.prompt * trainingLimits.samplePrompts))),
  /** The chart's smoothing weight, 0 to 0.99. */
  smoothing: z.number().check(z.minimum(0), z.maximum(0.99)),
  /** Sections (form groups, run sections) by id: open or closed. */
  open: z.record(z.string().check(z.maxLength(64)), z.boolean()),
  scrollTop: z.number().check(z.minimum(0)),
});
export type TrainingViewState = z.infer<typeof trainingViewStateSchema>;

const relativePathSchema = nonEmpty(trainingLimits.path);

export const trainingProtocol = {
  // webview → host, with a reply
  /** Checks the form's values; answered with every problem found, none when it can start. */
  validate: defineRequest('training/config/validate', z.object({ config: trainingConfigSchema }), z.object({ problems: problemsSchema })),
  /** Starts a run; answers with its id (the panel then shows it), or with the problems that stop it. */
  start: defineRequest('training/run/start', z.object({ config: trainingConfigSchema }), z.object({ runId: z.nullable(z.string()), problems: problemsSchema })),
  /** Stops the run shown; it ends `cancelled`. */
  cancel: defineRequest('training/run/cancel', z.object({}), z.object({})),
  /** Continues the run shown from its saved state as a new run, which the panel then shows. */
  resume: defineRequest('training/run/resume', z.object({}), z.object({ runId: z.string() })),
  /** Generates the comparison grid of the run's checkpoints; answers when it starts, images follow. */
  runTrials: defineRequest(
    'training/trials/run',
    z.object({
      checkpoints: z.array(relativePathSchema).check(z.minLength(1), z.maxLength(trainingLimits.checkpoints)),
      prompts: trialPromptsSchema,
      seeds: trialSeedsSchema,
    }),
    trialGridSchema,
  ),
  /** Makes a checkpoint of the run the character's LoRA; answers with what was done. */
  useCheckpoint: defineRequest('training/checkpoint/use', z.object({ file: relativePathSchema }), z.object({ message: z.string() })),
  /** Shows a file of the run (relative to its folder) in the OS file manager. */
  reveal: defineRequest('training/file/reveal', z.object({ path: relativePathSchema }), z.object({})),
  /** Opens a file of the run (relative to its folder) in an editor. */
  open: defineRequest('training/file/open', z.object({ path: relativePathSchema }), z.object({})),

  // webview → host, no reply
  cancelTrials: defineCommand('training/trials/cancel', z.object({})),

  // host → webview
  /** The run's record changed (status, step, a checkpoint or sample written, the end). */
  recordChanged: defineNotification('training/record/changed', z.object({ record: runRecordSchema, samples: z.array(sampleViewSchema).check(z.maxLength(trainingLimits.samples)), live: z.boolean() })),
  progress: defineNotification('training/progress/changed', z.object({ progress: trainingProgressSchema })),
  lossAppended: defineNotification('training/loss/appended', lossAppendSchema),
  logAppended: defineNotification('training/log/appended', z.object({ lines: logLinesSchema })),
  trialImage: defineNotification('training/trials/image', trialImageSchema),
  trialsFinished: defineNotification('training/trials/finished', z.object({ error: z.nullable(text(trainingLimits.message)), cancelled: z.boolean() })),
} as const;
