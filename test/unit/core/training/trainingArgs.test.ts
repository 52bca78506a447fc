import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'smol-toml';
import { childEnv } from '../../../../src/core/process/childEnv';
import { defaultSettings, type Settings } from '../../../../src/core/settings/settings';
import type { TrainingConfig } from '../../../../src/core/training/model';
import { runPaths } from '../../../../src/core/training/runFolder';
import { datasetToml, launchCommand, samplePromptsFile, trainerArguments, trainerEnvironment } from '../../../../src/core/training/trainingArgs';
import { defaultTrainingConfig } from '../../../../src/core/training/trainingConfig';
import { InvalidInputError } from '../../../../src/core/util/errors';

const studio = '/studio';
const paths = runPaths(studio, 'spyke_v1-20260301-101500');
const config = (patch: Partial<TrainingConfig> = {}): TrainingConfig => ({
  ...defaultTrainingConfig({ preset: 'sd15-8gb', datasetId: 'spyke', outputName: 'spyke_v1', baseModel: '/models/v1-5.safetensors', trigger: 'spyke', classPrompt: 'man' }),
  ...patch,
});

/** smol-toml's tables have no prototype; plain objects compare with deepEqual. */
const tomlOf = (text: string): unknown => JSON.parse(JSON.stringify(parse(text)));

/** The value after a flag, or undefined when the flag is absent. */
const valueOf = (args: readonly string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
};

describe('trainerArguments', () => {
  it('gives every flag of the default run, each token its own argument', () => {
    assert.deepEqual(trainerArguments(config(), paths), [
      '--pretrained_model_name_or_path', '/models/v1-5.safetensors',
      '--dataset_config', '/studio/training/spyke_v1-20260301-101500/dataset.toml',
      '--output_dir', '/studio/training/spyke_v1-20260301-101500/out',
      '--output_name', 'spyke_v1',
      '--save_model_as', 'safetensors',
      '--network_module', 'networks.lora',
      '--network_dim', '32',
      '--network_alpha', '16',
      '--resolution', '512,512',
      '--train_batch_size', '1',
      '--max_train_steps', '1000',
      '--save_every_n_steps', '200',
      '--learning_rate', '0.0001',
      '--unet_lr', '0.0001',
      '--text_encoder_lr', '0.00005',
      '--optimizer_type', 'AdamW',
      '--lr_scheduler', 'cosine',
      '--mixed_precision', 'no',
      '--save_precision', 'fp16',
      '--seed', '42',
      '--caption_extension', '.txt',
      '--gradient_checkpointing',
      '--cache_latents',
      '--sdpa',
      '--max_data_loader_n_workers', '0',
      '--save_state',
      '--save_last_n_steps_state', '199',
      '--log_with', 'tensorboard',
      '--logging_dir', '/studio/training/spyke_v1-20260301-101500/logs',
      '--log_prefix', 'spyke_v1-20260301-101500_',
      '--sample_prompts', '/studio/training/spyke_v1-20260301-101500/sample_prompts.txt',
      '--sample_every_n_steps', '200',
      '--sample_sampler', 'euler_a',
      '--console_log_simple',
    ]);
  });

  it('never passes a warmup with the constant scheduler, and passes it with the others', () => {
    const constant = trainerArguments(config({ lrScheduler: 'constant', lrWarmupSteps: 50 }), paths);
    assert.equal(constant.includes('--lr_warmup_steps'), false);
    assert.equal(valueOf(trainerArguments(config({ lrScheduler: 'cosine', lrWarmupSteps: 50 }), paths), '--lr_warmup_steps'), '50');
    assert.equal(trainerArguments(config({ lrWarmupSteps: 0 }), paths).includes('--lr_warmup_steps'), false);
  });

  it('resumes from a state folder when asked', () => {
    const state = '/studio/training/old/out/spyke_v1-step00000400-state';
    assert.equal(valueOf(trainerArguments(config(), paths, { resumeFrom: state }), '--resume'), state);
    assert.equal(trainerArguments(config(), paths).includes('--resume'), false);
  });

  it('leaves out TensorBoard and sampling when they are off', () => {
    const args = trainerArguments(config({ tensorboard: false, sampleEveryNSteps: 0 }), paths);
    for (const flag of ['--log_with', '--logging_dir', '--log_prefix', '--sample_prompts', '--sample_every_n_steps', '--sample_sampler']) assert.equal(args.includes(flag), false, flag);
    assert.equal(trainerArguments(config({ samplePrompts: [] }), paths).includes('--sample_prompts'), false);
  });

  it('follows the config: batch, resolution, precision, attention, workers, text encoder', () => {
    const args = trainerArguments(
      config({ batchSize: 4, resolution: 768, mixedPrecision: 'bf16', attention: 'xformers', cacheLatents: false, gradientCheckpointing: false, textEncoderLr: 0, saveEveryNSteps: 1 }),
      paths,
    );
    assert.equal(valueOf(args, '--resolution'), '768,768');
    assert.equal(valueOf(args, '--train_batch_size'), '4');
    assert.equal(valueOf(args, '--mixed_precision'), 'bf16');
    assert.ok(args.includes('--xformers') && !args.includes('--sdpa'));
    assert.equal(args.includes('--cache_latents') || args.includes('--gradient_checkpointing'), false);
    assert.equal(valueOf(args, '--max_data_loader_n_workers'), '1');
    assert.ok(args.includes('--persistent_data_loader_workers'));
    assert.ok(args.includes('--network_train_unet_only') && !args.includes('--text_encoder_lr'));
    assert.equal(args.includes('--save_last_n_steps_state'), false);
    const none = trainerArguments(config({ attention: 'none' }), paths);
    assert.equal(none.includes('--sdpa') || none.includes('--xformers') || none.includes('--none'), false);
  });

  it('keeps the SDXL VAE in full precision under fp16', () => {
    assert.ok(trainerArguments(config({ baseModelVersion: 'sdxl', resolution: 1024, mixedPrecision: 'fp16' }), paths).includes('--no_half_vae'));
    assert.equal(trainerArguments(config({ baseModelVersion: 'sdxl', resolution: 1024, mixedPrecision: 'bf16' }), paths).includes('--no_half_vae'), false);
  });

  it('keeps paths with spaces whole', () => {
    const spaced = runPaths('/Users/me/My Studio', 'r');
    const args = trainerArguments(config({ baseModel: '/Users/me/Stable Diffusion/v1 5.safetensors' }), spaced);
    assert.equal(valueOf(args, '--pretrained_model_name_or_path'), '/Users/me/Stable Diffusion/v1 5.safetensors');
    assert.equal(valueOf(args, '--dataset_config'), '/Users/me/My Studio/training/r/dataset.toml');
  });
});

describe('samplePromptsFile', () => {
  it('writes one prompt per line', () => {
    assert.equal(samplePromptsFile(config({ samplePrompts: ['a --d 1', 'b\r\nc'] })), 'a --d 1\nb c\n');
  });
});

/**
 * The keys sd-scripts' dataset config accepts where (library/config_util.py `ConfigSanitizer`,
 * DreamBooth style with dropout, at 48d368fa), with the type voluptuous checks.
 */
type Kind = 'int' | 'bool' | 'str' | 'float' | 'number' | 'resolution' | 'table' | 'pair';
const subsetAscendable: Record<string, Kind> = {
  color_aug: 'bool', face_crop_aug_range: 'pair', flip_aug: 'bool', num_repeats: 'int', random_crop: 'bool', shuffle_caption: 'bool',
  keep_tokens: 'int', keep_tokens_separator: 'str', secondary_separator: 'str', caption_separator: 'str', enable_wildcard: 'bool',
  token_warmup_min: 'int', token_warmup_step: 'number', caption_prefix: 'str', caption_suffix: 'str', custom_attributes: 'table', resize_interpolation: 'str',
  caption_dropout_every_n_epochs: 'int', caption_dropout_rate: 'number', caption_tag_dropout_rate: 'number',
};
const dreamboothAscendable: Record<string, Kind> = { caption_extension: 'str', class_tokens: 'str', cache_info: 'bool' };
const datasetAscendable: Record<string, Kind> = {
  batch_size: 'int', bucket_no_upscale: 'bool', bucket_reso_steps: 'int', enable_bucket: 'bool', max_bucket_reso: 'int', min_bucket_reso: 'int',
  validation_seed: 'int', validation_split: 'float', resolution: 'resolution', network_multiplier: 'float', resize_interpolation: 'str',
};
const allowed = {
  general: { ...datasetAscendable, ...subsetAscendable, ...dreamboothAscendable },
  dataset: { ...datasetAscendable, ...subsetAscendable, ...dreamboothAscendable },
  subset: { ...subsetAscendable, ...dreamboothAscendable, image_dir: 'str', is_reg: 'bool', alpha_mask: 'bool' } as Record<string, Kind>,
};

/** Checks a parsed table against sd-scripts' schema; `text` is the TOML, to tell 1 from 1.0. */
function checkTable(table: Record<string, unknown>, schema: Record<string, Kind>, where: string, text: string): void {
  for (const [key, value] of Object.entries(table)) {
    const kind = schema[key];
    assert.ok(kind, `${where}: sd-scripts rejects the key "${key}"`);
    const written = new RegExp(`^\\s*${key} = (.*)$`, 'm').exec(text)?.[1] ?? '';
    const ok = {
      int: typeof value === 'number' && /^-?\d+$/.test(written),
      bool: typeof value === 'boolean',
      str: typeof value === 'string',
      float: typeof value === 'number' && /[.eE]/.test(written),
      number: typeof value === 'number',
      resolution: typeof value === 'number' ? /^\d+$/.test(written) : Array.isArray(value) && value.length === 2,
      table: typeof value === 'object' && value !== null,
      pair: Array.isArray(value) && value.length === 2,
    }[kind];
    assert.ok(ok, `${where}.${key} = ${written}: sd-scripts wants ${kind}`);
  }
}

function checkDatasetConfig(text: string): { general: Record<string, unknown>; datasets: Record<string, unknown>[] } {
  const data = tomlOf(text) as { general: Record<string, unknown>; datasets: (Record<string, unknown> & { subsets: Record<string, unknown>[] })[] };
  assert.deepEqual(Object.keys(data).sort(), ['datasets', 'general']);
  checkTable(data.general, allowed.general, 'general', text);
  data.datasets.forEach((dataset, d) => {
    const { subsets, ...rest } = dataset;
    checkTable(rest, allowed.dataset, `datasets[${d}]`, text);
    assert.ok(Array.isArray(subsets) && subsets.length > 0);
    subsets.forEach((subset, s) => {
      assert.equal(typeof subset['image_dir'], 'string', 'image_dir is required');
      checkTable(subset, allowed.subset, `datasets[${d}].subsets[${s}]`, text);
    });
  });
  return data;
}

describe('datasetToml', () => {
  it('writes only keys sd-scripts accepts, with the types it checks', () => {
    const text = datasetToml(config({ regDatasetId: 'spyke-reg' }), { train: '/studio/datasets/spyke', reg: '/studio/datasets/spyke-reg' }, { trigger: 'spyke', class: 'man' });
    checkDatasetConfig(text);
  });

  it('describes the training images and the regularization images', () => {
    const text = datasetToml(config({ repeats: 12, batchSize: 2, regDatasetId: 'spyke-reg' }), { train: '/studio/datasets/spyke', reg: '/studio/datasets/spyke-reg' }, { trigger: 'spyke', class: 'man' });
    assert.deepEqual(tomlOf(text), {
      general: { caption_extension: '.txt', shuffle_caption: true, keep_tokens: 1 },
      datasets: [
        {
          resolution: 512,
          batch_size: 2,
          enable_bucket: false,
          subsets: [
            { image_dir: '/studio/datasets/spyke', class_tokens: 'spyke man', num_repeats: 12 },
            { image_dir: '/studio/datasets/spyke-reg', class_tokens: 'man', num_repeats: 1, is_reg: true },
          ],
        },
      ],
    });
  });

  it('has one subset without regularization, and no class tokens when there are none', () => {
    const text = datasetToml(config(), { train: 'C:\\Users\\me\\My Studio\\datasets\\spyke', reg: null });
    const data = checkDatasetConfig(text) as unknown as { datasets: { subsets: Record<string, unknown>[] }[] };
    assert.deepEqual(data.datasets[0]!.subsets, [{ image_dir: 'C:\\Users\\me\\My Studio\\datasets\\spyke', num_repeats: 10 }]);
  });

  it('refuses a relative image folder', () => {
    assert.throws(() => datasetToml(config(), { train: 'datasets/spyke', reg: null }), InvalidInputError);
  });
});

describe('launchCommand', () => {
  const sdScripts = (patch: Partial<Settings['sdScripts']>): Settings['sdScripts'] => ({ ...defaultSettings.sdScripts, folder: '/opt/sd-scripts', ...patch });
  const args = ['--output_name', 'x'];

  it('runs train_network.py with python3, or python on Windows, in the sd-scripts folder', () => {
    assert.deepEqual(launchCommand(sdScripts({ launcher: 'python' }), args, { baseModelVersion: 'sd15', platform: 'linux' }), {
      program: 'python3',
      args: ['train_network.py', '--output_name', 'x'],
      cwd: '/opt/sd-scripts',
    });
    assert.equal(launchCommand(sdScripts({ launcher: 'python' }), args, { baseModelVersion: 'sd15', platform: 'win32' }).program, 'python');
    const venv = launchCommand(sdScripts({ launcher: 'python', python: ' /opt/sd-scripts/venv/bin/python ' }), args, { baseModelVersion: 'sd15', platform: 'darwin' });
    assert.equal(venv.program, '/opt/sd-scripts/venv/bin/python');
  });

  it('launches through accelerate quietly, with the launcher flags before the script', () => {
    assert.deepEqual(launchCommand(sdScripts({ launcher: 'accelerate' }), args, { baseModelVersion: 'sd15', platform: 'linux' }), {
      program: 'accelerate',
      args: ['launch', '--num_cpu_threads_per_process', '1', '--quiet', 'train_network.py', '--output_name', 'x'],
      cwd: '/opt/sd-scripts',
    });
    const named = launchCommand(sdScripts({ launcher: 'accelerate', accelerate: 'C:\\venv\\Scripts\\accelerate.exe', python: 'C:\\venv\\Scripts\\python.exe' }), args, { baseModelVersion: 'sd15', platform: 'win32' });
    assert.equal(named.program, 'C:\\venv\\Scripts\\accelerate.exe');
    assert.equal(named.args[0], 'launch');
  });

  it('runs the accelerate of the configured Python when no accelerate is set', () => {
    const command = launchCommand(sdScripts({ launcher: 'accelerate', python: '/venv/bin/python' }), args, { baseModelVersion: 'sd15', platform: 'linux' });
    assert.deepEqual(command.args, ['-m', 'accelerate.commands.launch', '--num_cpu_threads_per_process', '1', '--quiet', 'train_network.py', '--output_name', 'x']);
    assert.equal(command.program, '/venv/bin/python');
  });

  it('runs the SDXL trainer for an SDXL config', () => {
    assert.equal(launchCommand(sdScripts({ launcher: 'python' }), args, { baseModelVersion: 'sdxl', platform: 'linux' }).args[0], 'sdxl_train_network.py');
    assert.ok(launchCommand(sdScripts({ launcher: 'accelerate' }), args, { baseModelVersion: 'sdxl' }).args.includes('sdxl_train_network.py'));
  });

  it('asks for the sd-scripts folder setting when it is empty', () => {
    assert.throws(
      () => launchCommand(sdScripts({ folder: '  ' }), args, { baseModelVersion: 'sd15' }),
      (error: unknown) => error instanceof InvalidInputError && /studionova\.sdScripts\.folder/.test(error.userMessage),
    );
  });
});

describe('trainerEnvironment', () => {
  it('gives wide, quiet logs over our environment, and unbuffered UTF-8 Python through childEnv', () => {
    const env = childEnv({ PATH: '/usr/bin' }, trainerEnvironment('linux'), 'linux');
    assert.deepEqual(env, { PATH: '/usr/bin', COLUMNS: '250', TF_CPP_MIN_LOG_LEVEL: '2', TF_ENABLE_ONEDNN_OPTS: '0', PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' });
    assert.equal(trainerEnvironment('win32')['XFORMERS_FORCE_DISABLE_TRITON'], '1');
    assert.equal(trainerEnvironment('darwin')['XFORMERS_FORCE_DISABLE_TRITON'], undefined);
  });
});
