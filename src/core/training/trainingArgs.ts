import path from 'node:path';
import { stringify } from 'smol-toml';
import type { Settings } from '../settings/settings';
import { InvalidInputError } from '../util/errors';
import type { TrainingConfig } from './model';
import type { RunPaths } from './runFolder';

/**
 * The command line and the files sd-scripts' `train_network.py` is launched with. Every value
 * is its own argument (no shell, no quoting); paths are absolute.
 */

export type { RunPaths } from './runFolder';

export interface TrainerArgumentOptions {
  /** An sd-scripts state folder (`<name>-step00000400-state`, absolute) to continue from. */
  readonly resumeFrom?: string | undefined;
}

/** The script for the base model: SDXL has its own trainer with the same flags. */
export function trainerScript(version: TrainingConfig['baseModelVersion']): 'train_network.py' | 'sdxl_train_network.py' {
  return version === 'sdxl' ? 'sdxl_train_network.py' : 'train_network.py';
}

/**
 * The trainer's arguments. Every flag whose sd-scripts default is a trap is set explicitly
 * (learning rate 2e-6, `.caption` captions, 1600 steps, dim 4, no resolution). Choices:
 * - `--console_log_simple`: log lines come on stdout as bare messages, one per line, instead of
 *   Rich's 80-column wrapped table on stderr; `model saved.` then also comes on stdout.
 * - Data loader workers: none when latents are cached (the items are tensors in memory; workers
 *   started by spawn, the default on Windows and macOS, would each re-import torch and receive a
 *   copy of the cache), otherwise one persistent worker that decodes images beside training.
 * - `--save_state` with `--save_last_n_steps_state` one step short of the checkpoint interval:
 *   sd-scripts then removes the previous step state at each save, so only the latest state
 *   (to resume from) and the end-of-training state stay on disk; checkpoints are all kept.
 * - A resumed run is a new run folder, because sd-scripts numbers its steps (and the step
 *   checkpoint names) from 0 again after `--resume`.
 */
export function trainerArguments(config: TrainingConfig, paths: RunPaths, options: TrainerArgumentOptions = {}): string[] {
  const args: string[] = [];
  const flag = (name: string, ...values: (string | number)[]): void => void args.push(`--${name}`, ...values.map(String));
  flag('pretrained_model_name_or_path', config.baseModel);
  flag('dataset_config', paths.datasetToml);
  flag('output_dir', paths.out);
  flag('output_name', config.outputName);
  flag('save_model_as', 'safetensors');
  flag('network_module', 'networks.lora');
  flag('network_dim', config.networkDim);
  flag('network_alpha', config.networkAlpha);
  // One argument: sd-scripts splits "W,H" itself.
  flag('resolution', `${config.resolution},${config.resolution}`);
  flag('train_batch_size', config.batchSize);
  flag('max_train_steps', config.maxTrainSteps);
  flag('save_every_n_steps', config.saveEveryNSteps);
  flag('learning_rate', config.learningRate);
  flag('unet_lr', config.unetLr);
  if (config.textEncoderLr > 0) flag('text_encoder_lr', config.textEncoderLr);
  else flag('network_train_unet_only');
  flag('optimizer_type', config.optimizer);
  flag('lr_scheduler', config.lrScheduler);
  // sd-scripts refuses a warmup with constant; 0 is its default anyway.
  if (config.lrWarmupSteps > 0 && config.lrScheduler !== 'constant') flag('lr_warmup_steps', config.lrWarmupSteps);
  flag('mixed_precision', config.mixedPrecision);
  flag('save_precision', config.savePrecision);
  // The SDXL VAE overflows in fp16.
  if (config.baseModelVersion === 'sdxl' && config.mixedPrecision === 'fp16') flag('no_half_vae');
  flag('seed', config.seed);
  flag('caption_extension', '.txt');
  if (config.gradientCheckpointing) flag('gradient_checkpointing');
  if (config.cacheLatents) flag('cache_latents');
  if (config.attention !== 'none') flag(config.attention);
  if (config.cacheLatents) flag('max_data_loader_n_workers', 0);
  else {
    flag('max_data_loader_n_workers', 1);
    flag('persistent_data_loader_workers');
  }
  flag('save_state');
  // sd-scripts treats 0 as unset (keep all); with a checkpoint every step there is no earlier one to remove anyway.
  if (config.saveEveryNSteps > 1) flag('save_last_n_steps_state', config.saveEveryNSteps - 1);
  if (config.tensorboard) {
    flag('log_with', 'tensorboard');
    flag('logging_dir', paths.logs);
    // sd-scripts appends a timestamp to the prefix without a separator.
    flag('log_prefix', `${paths.runId}_`);
  }
  if (config.sampleEveryNSteps > 0 && config.samplePrompts.length > 0) {
    flag('sample_prompts', paths.samplePrompts);
    flag('sample_every_n_steps', config.sampleEveryNSteps);
    flag('sample_sampler', 'euler_a');
  }
  if (options.resumeFrom) flag('resume', options.resumeFrom);
  flag('console_log_simple');
  return args;
}

/** `sample_prompts.txt`: one prompt per line, in sd-scripts' syntax. */
export function samplePromptsFile(config: TrainingConfig): string {
  return config.samplePrompts.map((line) => line.replace(/[\r\n]+/g, ' ').trim()).join('\n') + '\n';
}

export interface DatasetDirs {
  /** The training images' folder (`<studio>/datasets/<id>`), absolute. */
  readonly train: string;
  /** The regularization images' folder, absolute, or null. */
  readonly reg: string | null;
}

export interface ClassTokens {
  /** The character's trigger word. */
  readonly trigger?: string | undefined;
  /** The class word ("woman"). */
  readonly class?: string | undefined;
}

/**
 * `dataset.toml` for `--dataset_config`. sd-scripts validates it strictly (an unknown key or an
 * int where it wants a float stops the run), so only keys of its schema are written, with
 * their types. Class tokens become the caption of an image without a caption file: the
 * trigger and class for training images, the class alone for regularization images.
 * Buckets are off: imported images are already squares at the training size.
 */
export function datasetToml(config: TrainingConfig, dirs: DatasetDirs, tokens: ClassTokens = {}): string {
  for (const dir of [dirs.train, dirs.reg]) {
    if (dir !== null && !isAbsolutePath(dir)) throw new InvalidInputError(`The dataset folder must be an absolute path, not "${dir}".`);
  }
  const trainTokens = [tokens.trigger, tokens.class].map((token) => token?.trim()).filter(Boolean).join(' ');
  const regTokens = tokens.class?.trim() ?? '';
  const subsets: Record<string, string | number | boolean>[] = [
    { image_dir: dirs.train, ...(trainTokens ? { class_tokens: trainTokens } : {}), num_repeats: config.repeats },
  ];
  // sd-scripts repeats regularization images itself until they match the training images.
  if (dirs.reg !== null) subsets.push({ image_dir: dirs.reg, ...(regTokens ? { class_tokens: regTokens } : {}), num_repeats: 1, is_reg: true });
  return stringify({
    general: {
      caption_extension: '.txt',
      shuffle_caption: true,
      // Captions start with the trigger word: it stays first when the rest is shuffled.
      keep_tokens: 1,
    },
    datasets: [
      {
        resolution: config.resolution,
        batch_size: config.batchSize,
        enable_bucket: false,
        subsets,
      },
    ],
  }) + '\n';
}

function isAbsolutePath(file: string): boolean {
  return path.posix.isAbsolute(file) || path.win32.isAbsolute(file);
}

export interface LaunchCommand {
  readonly program: string;
  readonly args: string[];
  readonly cwd: string;
}

export interface LaunchOptions {
  readonly baseModelVersion: TrainingConfig['baseModelVersion'];
  readonly platform?: NodeJS.Platform;
}

/**
 * The program that runs the trainer, in the sd-scripts folder (`train_network.py` imports
 * `networks.lora` from there).
 * - `python`: `<python> train_network.py …`; the Python defaults to `python3` (`python` on Windows).
 * - `accelerate`: `accelerate launch --num_cpu_threads_per_process 1 --quiet train_network.py …`.
 *   `--quiet` makes a failed training end with exit code 1 instead of accelerate's own
 *   CalledProcessError traceback, which would bury the real error (out of memory…) as the last
 *   lines. Without an accelerate path but with a Python, `<python> -m accelerate.commands.launch`
 *   runs the accelerate of that Python's environment rather than whichever is first on PATH.
 */
export function launchCommand(settings: Settings['sdScripts'], args: readonly string[], options: LaunchOptions): LaunchCommand {
  const folder = settings.folder.trim();
  if (!folder) {
    throw new InvalidInputError('Set studionova.sdScripts.folder (a machine setting) to your sd-scripts checkout, the folder that contains train_network.py.');
  }
  const platform = options.platform ?? process.platform;
  const script = trainerScript(options.baseModelVersion);
  const python = settings.python.trim();
  if (settings.launcher === 'python') {
    return { program: python || (platform === 'win32' ? 'python' : 'python3'), args: [script, ...args], cwd: folder };
  }
  const launch = ['launch', '--num_cpu_threads_per_process', '1', '--quiet', script, ...args];
  const accelerate = settings.accelerate.trim();
  if (!accelerate && python) return { program: python, args: ['-m', 'accelerate.commands.launch', ...launch.slice(1)], cwd: folder };
  return { program: accelerate || 'accelerate', args: launch, cwd: folder };
}

/**
 * Variables the trainer needs over the environment, to lay over ours with `childEnv` (which
 * also makes Python's output unbuffered UTF-8). `COLUMNS`: the few log lines that come before
 * `--console_log_simple` takes effect, and those of data loader workers, are Rich tables that
 * wrap at 80 columns on a pipe. The TensorFlow variables quiet TensorBoard's import of it.
 */
export function trainerEnvironment(platform: NodeJS.Platform = process.platform): Record<string, string> {
  return {
    COLUMNS: '250',
    TF_CPP_MIN_LOG_LEVEL: '2',
    TF_ENABLE_ONEDNN_OPTS: '0',
    ...(platform === 'win32' ? { XFORMERS_FORCE_DISABLE_TRITON: '1' } : {}),
  };
}
