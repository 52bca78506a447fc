/**
 * The vocabulary of LoRA training, shared by the argument builder, the log parser, the runner,
 * the run folder and the panels. sd-scripts' own names are kept where a field maps to a flag
 * (`networkDim` ↔ `--network_dim`), so a reader can follow a value from the form to the command.
 */

/** What the user sets in the training panel (and `studionova train` through a preset and flags). */
export interface TrainingConfig {
  /** The preset the form started from; informational. */
  readonly preset: string;
  /** The base checkpoint: an absolute path to a `.safetensors`/`.ckpt` file, checked before launch. */
  readonly baseModel: string;
  /** The studio's dataset folder id (`datasets/<id>`). */
  readonly datasetId: string;
  /** A regularization dataset id (`datasets/<id>-reg`), or null. */
  readonly regDatasetId: string | null;
  /** The checkpoint stem, sd-scripts' `--output_name`; the character's LoRA name by default. */
  readonly outputName: string;
  readonly baseModelVersion: 'sd15' | 'sdxl';
  /** Square side in pixels (`--resolution "512,512"`). */
  readonly resolution: number;
  readonly batchSize: number;
  /** Repeats of each training image per epoch (the dataset's `repeats`, else 10). */
  readonly repeats: number;
  readonly maxTrainSteps: number;
  /** A checkpoint every N steps (`--save_every_n_steps`). */
  readonly saveEveryNSteps: number;
  readonly networkDim: number;
  readonly networkAlpha: number;
  readonly learningRate: number;
  readonly unetLr: number;
  readonly textEncoderLr: number;
  readonly optimizer: 'AdamW' | 'AdamW8bit' | 'Lion' | 'Prodigy' | 'Adafactor';
  readonly lrScheduler: 'constant' | 'cosine' | 'cosine_with_restarts' | 'linear' | 'constant_with_warmup';
  readonly lrWarmupSteps: number;
  readonly mixedPrecision: 'no' | 'fp16' | 'bf16';
  readonly savePrecision: 'float' | 'fp16' | 'bf16';
  readonly seed: number;
  readonly gradientCheckpointing: boolean;
  readonly cacheLatents: boolean;
  readonly attention: 'sdpa' | 'xformers' | 'none';
  /** Sample images every N steps with `samplePrompts`; 0 turns sampling off. */
  readonly sampleEveryNSteps: number;
  /** One prompt per line, sd-scripts' sample prompt syntax (`text --n neg --d 42`). */
  readonly samplePrompts: readonly string[];
  /** Write TensorBoard events (`--logging_dir`): per-step loss for the chart. */
  readonly tensorboard: boolean;
}

/** A run's state, as `run.json` records it and the LoRAs tree shows it. */
export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Why a run failed, recognised from its log: each has a message that says what to do. */
export type FailureCause = 'out-of-memory' | 'missing-base-model' | 'no-images' | 'bad-config' | 'missing-package' | 'no-final-file' | 'exit-code' | 'could-not-start';

/** One line of trainer output, already split on `\r`/`\n`. `progress`: it ended with a lone `\r` (a bar redraw). */
export interface TrainerLine {
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
  readonly progress?: boolean;
}

/** What the log parser recognises in one line; anything else is plain log text. */
export type KohyaEvent =
  | {
      readonly kind: 'progress';
      readonly step: number;
      readonly total: number;
      /** The bar's `avr_loss` (a moving average); null before the first postfix; NaN when the trainer printed `nan`. */
      readonly averageLoss: number | null;
      /** Steps per second, whichever unit the bar used (`s/it` is inverted); null before the first update. */
      readonly itPerSec: number | null;
      /** tqdm's elapsed and remaining seconds; remaining is null while tqdm shows `?`. */
      readonly elapsedSec: number;
      readonly remainingSec: number | null;
    }
  | { readonly kind: 'epoch'; readonly epoch: number; readonly epochs: number }
  /** `saving checkpoint: <path>`: printed before the file is written; wait for it to settle. */
  | { readonly kind: 'checkpoint'; readonly path: string }
  | { readonly kind: 'checkpoint-removed'; readonly path: string }
  | { readonly kind: 'sampling'; readonly step: number }
  /** A banner number: `total optimization steps`, `num epochs`, `num batches per epoch`, `num train images * repeats`. */
  | { readonly kind: 'banner'; readonly field: 'totalSteps' | 'epochs' | 'batchesPerEpoch' | 'trainImages' | 'regImages'; readonly value: number }
  | { readonly kind: 'model-saved' }
  /** An error the trainer logged or raised, with the cause when recognised. */
  | { readonly kind: 'error'; readonly cause: FailureCause | null; readonly message: string };

/** One point of the loss chart. `loss` is the per-step loss (TensorBoard `loss/current`) or the bar's average when that is all there is. */
export interface LossPoint {
  readonly step: number;
  readonly loss: number;
  /** The bar's (or TensorBoard's `loss/average`) moving average at that step, when known. */
  readonly average: number | null;
}

/** A checkpoint file the trainer wrote, as the run records it once its size settled. */
export interface CheckpointRecord {
  /** Relative to the run folder: `out/spyke-step00000200.safetensors`. */
  readonly file: string;
  /** Global step it was saved at; for the final file, the last step. */
  readonly step: number;
  readonly final: boolean;
  readonly bytes: number;
  /** The bar's average loss when it was saved, if seen. */
  readonly loss: number | null;
}

/** A sample image sd-scripts wrote into `out/sample/`. */
export interface SampleRecord {
  /** Relative to the run folder. */
  readonly file: string;
  readonly step: number | null;
  readonly promptIndex: number;
}

/** `training/<run>/run.json`: what the panel and the tree read back after a reload. Written atomically at every change of state. */
export interface RunRecord {
  readonly version: 1;
  readonly id: string;
  readonly status: RunStatus;
  readonly config: TrainingConfig;
  /** The exact command: program and arguments, as launched (paths absolute). */
  readonly command: { readonly program: string; readonly args: readonly string[]; readonly cwd: string } | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly step: number;
  readonly totalSteps: number | null;
  readonly checkpoints: readonly CheckpointRecord[];
  readonly samples: readonly SampleRecord[];
  readonly failure: { readonly cause: FailureCause; readonly message: string } | null;
  /** The state folder to resume from (`out/<name>-step00000400-state`), when sd-scripts saved one. */
  readonly resumeFrom: string | null;
  /** The run this one resumes, if any. */
  readonly resumes: string | null;
  /** The checkpoint the user chose with "Use this checkpoint", and where it went. */
  readonly chosen: { readonly file: string; readonly lora: string; readonly at: string } | null;
}

/** What the safetensors header of a LoRA tells (sd-scripts' `ss_*` metadata); every field may be absent. */
export interface LoraFacts {
  readonly baseModel: string | null;
  readonly networkDim: number | null;
  readonly networkAlpha: number | null;
  readonly steps: number | null;
  readonly epoch: number | null;
  readonly imageCount: number | null;
  readonly resolution: string | null;
  readonly outputName: string | null;
  readonly trainedAt: string | null;
  /** The most frequent caption tags over all dataset folders, most frequent first (at most 10). */
  readonly topTags: readonly { readonly tag: string; readonly count: number }[];
}

/** The live figures of a running training, from its latest progress line and banner. */
export interface TrainingProgress {
  readonly step: number;
  readonly total: number;
  readonly itPerSec: number | null;
  /** Wall-clock estimate (tqdm's excludes sampling and saving), seconds; null until known. */
  readonly etaSec: number | null;
  readonly averageLoss: number | null;
  readonly epoch: number | null;
  readonly epochs: number | null;
}
