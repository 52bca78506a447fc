import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hardwarePresets, hardwareProfile, type HardwarePresetId } from '../../../../src/core/settings/hardware';
import type { TrainingConfig } from '../../../../src/core/training/model';
import {
  defaultPresetId,
  defaultTrainingConfig,
  presetsFor,
  trainingConfigSchema,
  trainingPresets,
  validateTrainingConfig,
  type TrainingHardware,
} from '../../../../src/core/training/trainingConfig';
import { InvalidInputError } from '../../../../src/core/util/errors';

const profile = (id: HardwarePresetId): TrainingHardware => hardwareProfile(id, hardwarePresets[id].limits);
const m1 = profile('apple-m1-16gb');
const nvidia12 = profile('nvidia-12gb');
const nvidia24 = profile('nvidia-24gb');

const base = (preset = defaultPresetId): TrainingConfig =>
  defaultTrainingConfig({ preset, datasetId: 'spyke', outputName: 'spyke_v1', baseModel: '/models/v1-5-pruned-emaonly.safetensors', trigger: 'spyke', classPrompt: 'man' });

const errorsOf = (config: TrainingConfig, hardware: TrainingHardware = m1) => validateTrainingConfig(config, hardware).filter((p) => p.severity === 'error');
const warningsOf = (config: TrainingConfig, hardware: TrainingHardware = m1) => validateTrainingConfig(config, hardware).filter((p) => p.severity === 'warning');

describe('trainingPresets', () => {
  it('have unique ids, a label and a one-line description, and parse with the schema', () => {
    assert.ok(trainingPresets.length >= 4);
    assert.equal(new Set(trainingPresets.map((p) => p.id)).size, trainingPresets.length);
    for (const preset of trainingPresets) {
      assert.ok(preset.label.length > 0 && preset.description.length > 0 && !preset.description.includes('\n'), preset.id);
      assert.ok(trainingConfigSchema.safeParse(base(preset.id)).success, preset.id);
    }
  });

  it('the default preset is the user SD 1.5 defaults, safe on an Apple GPU', () => {
    const config = base();
    assert.equal(config.preset, 'sd15-8gb');
    assert.equal(config.baseModelVersion, 'sd15');
    assert.deepEqual(
      [config.networkDim, config.networkAlpha, config.resolution, config.batchSize, config.optimizer, config.maxTrainSteps, config.saveEveryNSteps],
      [32, 16, 512, 1, 'AdamW', 1000, 200],
    );
    assert.deepEqual([config.learningRate, config.unetLr, config.textEncoderLr], [1e-4, 1e-4, 5e-5]);
    assert.equal(config.mixedPrecision, 'no');
    assert.equal(config.attention, 'sdpa');
    assert.ok(config.gradientCheckpointing && config.cacheLatents);
    assert.ok(config.lrScheduler !== 'constant' || config.lrWarmupSteps === 0);
  });

  it('each preset passes every rule, warnings included, on the profiles presetsFor says it fits', () => {
    for (const hardware of [m1, nvidia12, nvidia24]) {
      for (const fit of presetsFor(hardware)) {
        const problems = validateTrainingConfig(base(fit.preset.id), hardware);
        if (fit.fits) assert.deepEqual(problems, [], `${fit.preset.id} on ${hardware.label}`);
        else assert.ok(problems.some((p) => p.severity === 'error'), `${fit.preset.id} on ${hardware.label}`);
      }
    }
  });

  it('presetsFor tells which presets fit each profile, with the reason for the others', () => {
    const fitting = (hardware: TrainingHardware) => presetsFor(hardware).filter((f) => f.fits).map((f) => f.preset.id);
    assert.deepEqual(fitting(m1), ['sd15-8gb']);
    assert.deepEqual(fitting(nvidia12), ['sd15-8gb', 'sd15-12gb']);
    assert.deepEqual(fitting(nvidia24), ['sd15-8gb', 'sd15-12gb', 'sd15-24gb', 'sdxl-24gb']);
    const sdxl = presetsFor(nvidia12).find((f) => f.preset.id === 'sdxl-24gb')!;
    assert.match(sdxl.reason!, /1024 px is over the NVIDIA, 12 GB limit of 768 px/);
    // An Apple GPU with room for batch 2 still cannot take fp16.
    const bigMac = presetsFor({ label: 'custom hardware', apple: true, limits: { ...hardwarePresets['nvidia-12gb'].limits } });
    assert.match(bigMac.find((f) => f.preset.id === 'sd15-12gb')!.reason!, /fp16 mixed precision fails/);
  });
});

describe('defaultTrainingConfig', () => {
  it('fills the dataset, names and repeats, and samples with the trigger and class at every checkpoint', () => {
    const config = defaultTrainingConfig({ preset: 'sd15-8gb', datasetId: 'spyke', outputName: 'spyke_v1', baseModel: '/m.safetensors', repeats: 12, trigger: 'spyke', classPrompt: 'man' });
    assert.equal(config.datasetId, 'spyke');
    assert.equal(config.regDatasetId, null);
    assert.equal(config.repeats, 12);
    assert.equal(config.sampleEveryNSteps, config.saveEveryNSteps);
    assert.ok(config.samplePrompts.length >= 2 && config.samplePrompts.length <= 3);
    assert.equal(config.samplePrompts[0], 'spyke, man, full body, standing --n lowres, bad anatomy, bad hands, blurry --w 512 --h 512 --d 1234 --l 7 --s 24');
    for (const line of config.samplePrompts) assert.match(line, /^spyke, man, .* --n .* --w 512 --h 512 --d \d+ --l 7 --s 24$/);
  });

  it('defaults repeats to 10, samples SDXL at 1024 and uses the output name when there is no trigger or class', () => {
    const config = defaultTrainingConfig({ preset: 'sdxl-24gb', datasetId: 'd', outputName: 'hero', baseModel: '/m.safetensors', regDatasetId: 'd-reg' });
    assert.equal(config.repeats, 10);
    assert.equal(config.regDatasetId, 'd-reg');
    assert.equal(config.resolution, 1024);
    assert.match(config.samplePrompts[0]!, /^hero, full body, standing .*--w 1024 --h 1024/);
  });

  it('refuses an unknown preset, naming the known ones', () => {
    assert.throws(
      () => defaultTrainingConfig({ preset: 'sd3', datasetId: 'd', outputName: 'o', baseModel: '/m.safetensors' }),
      (error: unknown) => error instanceof InvalidInputError && /sd3/.test(error.userMessage) && /sd15-8gb/.test(error.userMessage),
    );
  });
});

describe('validateTrainingConfig', () => {
  it('accepts the default config on the default profile', () => {
    assert.deepEqual(validateTrainingConfig(base(), m1), []);
  });

  const errorCases: [string, Partial<TrainingConfig>, keyof TrainingConfig, RegExp, TrainingHardware?][] = [
    ['batch over the profile', { batchSize: 2 }, 'batchSize', /Batch size 2 is over the Apple M1, 16 GB limit of 1\. Lower it to 1, or choose a larger hardware profile/],
    ['fractional batch', { batchSize: 1.5 }, 'batchSize', /whole number/, nvidia24],
    ['resolution not a multiple of 64', { resolution: 500 }, 'resolution', /multiple of 64/],
    ['resolution below 256', { resolution: 192 }, 'resolution', /from 256 to 2048/],
    ['resolution above 2048', { resolution: 2112 }, 'resolution', /from 256 to 2048/, { label: 'big', limits: { maxWidth: 4096, maxHeight: 4096, trainBatchSize: 8, exclusiveGpu: true } }],
    ['resolution over the profile side', { resolution: 768 }, 'resolution', /768 px is over the Apple M1, 16 GB limit of 512 px/],
    ['no steps', { maxTrainSteps: 0 }, 'maxTrainSteps', /from 1 to 100000/],
    ['too many steps', { maxTrainSteps: 100_001 }, 'maxTrainSteps', /from 1 to 100000/],
    ['save interval beyond the steps', { maxTrainSteps: 100, saveEveryNSteps: 200, sampleEveryNSteps: 0 }, 'saveEveryNSteps', /never comes in a 100-step training/],
    ['save interval 0', { saveEveryNSteps: 0 }, 'saveEveryNSteps', /every 1 or more/],
    ['repeats 0', { repeats: 0 }, 'repeats', /from 1 to 1000/],
    ['learning rate 0', { learningRate: 0 }, 'learningRate', /above 0 and at most 1/],
    ['learning rate above 1', { learningRate: 2 }, 'learningRate', /above 0 and at most 1/],
    ['negative U-Net rate', { unetLr: -1e-4 }, 'unetLr', /above 0/],
    ['negative text encoder rate', { textEncoderLr: -1 }, 'textEncoderLr', /0 or more/],
    ['NaN rate', { unetLr: Number.NaN }, 'unetLr', /must be a number/],
    ['dim 0', { networkDim: 0 }, 'networkDim', /from 1 to 1024/],
    ['alpha 0', { networkAlpha: 0 }, 'networkAlpha', /above 0/],
    ['constant with warmup', { lrScheduler: 'constant', lrWarmupSteps: 50 }, 'lrWarmupSteps', /constant scheduler takes no warmup/],
    ['Adafactor with warmup', { optimizer: 'Adafactor', lrScheduler: 'cosine', lrWarmupSteps: 50 }, 'lrWarmupSteps', /Adafactor runs its own schedule/],
    ['warmup as long as training', { lrScheduler: 'cosine', lrWarmupSteps: 1000 }, 'lrWarmupSteps', /leave no training/],
    ['fp16 on Apple', { mixedPrecision: 'fp16' }, 'mixedPrecision', /fp16 mixed precision fails on Apple M1, 16 GB.*choose "no"/],
    ['bf16 on Apple', { mixedPrecision: 'bf16' }, 'mixedPrecision', /bf16 mixed precision fails/],
    ['8-bit optimizer on Apple', { optimizer: 'AdamW8bit' }, 'optimizer', /bitsandbytes/],
    ['xformers on Apple', { attention: 'xformers' }, 'attention', /choose sdpa/],
    ['output name with a space', { outputName: 'spyke v1' }, 'outputName', /cannot be a file name/],
    ['output name like a flag', { outputName: '-spyke' }, 'outputName', /cannot be a file name/],
    ['output name with a slash', { outputName: 'a/b' }, 'outputName', /cannot be a file name/],
    ['base model not a model file', { baseModel: '/models/v15.bin' }, 'baseModel', /\.safetensors or \.ckpt/],
    ['base model relative', { baseModel: 'models/v15.safetensors' }, 'baseModel', /full path/],
    ['no base model', { baseModel: '' }, 'baseModel', /Choose the base checkpoint/],
    ['no dataset', { datasetId: '' }, 'datasetId', /Choose the dataset/],
    ['reg dataset same as training', { regDatasetId: 'spyke' }, 'regDatasetId', /must not be the training dataset/],
    ['reg dataset a path', { regDatasetId: '../x' }, 'regDatasetId', /not a dataset id/],
    ['seed negative', { seed: -1 }, 'seed', /from 0 to 4294967295/],
    ['sampling without prompts', { samplePrompts: [] }, 'samplePrompts', /no sample prompt/],
    ['sampling interval negative', { sampleEveryNSteps: -5 }, 'sampleEveryNSteps', /0 \(never\) or more/],
    ['prompt on two lines', { samplePrompts: ['a\nb'] }, 'samplePrompts', /Sample prompt 1: must be a single line/],
    ['empty prompt', { samplePrompts: ['ok', '  '] }, 'samplePrompts', /Sample prompt 2: is empty/],
    ['options without a prompt', { samplePrompts: [' --w 512'] }, 'samplePrompts', /no prompt text/],
    ['non-numeric size', { samplePrompts: ['a --w big'] }, 'samplePrompts', /"--w" needs a whole number/],
    ['non-numeric scale', { samplePrompts: ['a --l high'] }, 'samplePrompts', /"--l" needs a number/],
    ['sample size over the profile', { samplePrompts: ['a --w 1024 --h 1024'] }, 'samplePrompts', /1024×1024 is over the Apple M1, 16 GB limit of 512×768/],
    ['unknown optimizer', { optimizer: 'SGD' as TrainingConfig['optimizer'] }, 'optimizer', /one of AdamW, AdamW8bit, Lion, Prodigy, Adafactor/],
    ['a string for a number', { resolution: '512' as unknown as number }, 'resolution', /resolution must be a number/],
    ['a missing boolean', { tensorboard: undefined as unknown as boolean }, 'tensorboard', /true or false/],
  ];
  for (const [name, patch, field, message, hardware] of errorCases) {
    it(`refuses ${name}`, () => {
      const errors = errorsOf({ ...base(), ...patch }, hardware ?? m1);
      const hit = errors.find((p) => p.field === field);
      assert.ok(hit, `no error on ${field}: ${JSON.stringify(errors)}`);
      assert.match(hit.message, message);
    });
  }

  it('allows what the Apple rules refuse on an NVIDIA profile, and a text encoder rate of 0', () => {
    const config: TrainingConfig = { ...base(), mixedPrecision: 'fp16', optimizer: 'AdamW8bit', attention: 'xformers', textEncoderLr: 0 };
    assert.deepEqual(errorsOf(config, nvidia12), []);
  });

  it('takes an explicit Apple flag over the label', () => {
    const custom = hardwareProfile('custom', hardwarePresets['nvidia-24gb'].limits);
    const config: TrainingConfig = { ...base(), mixedPrecision: 'fp16' };
    assert.deepEqual(errorsOf(config, custom), []);
    assert.equal(errorsOf(config, { ...custom, apple: true })[0]?.field, 'mixedPrecision');
    assert.deepEqual(errorsOf(config, { ...m1, apple: false, limits: custom.limits }), []);
  });

  const warningCases: [string, Partial<TrainingConfig>, keyof TrainingConfig, RegExp, TrainingHardware?][] = [
    ['alpha above dim', { networkDim: 8, networkAlpha: 16 }, 'networkAlpha', /scales the LoRA up/],
    ['Prodigy at a low rate', { optimizer: 'Prodigy' }, 'optimizer', /expects learning rates of 1\.0/],
    ['Adafactor rates', { optimizer: 'Adafactor' }, 'optimizer', /rates are ignored/],
    ['constant_with_warmup without warmup', { lrScheduler: 'constant_with_warmup', lrWarmupSteps: 0 }, 'lrWarmupSteps', /plain constant/],
    ['SDXL at 512', { baseModelVersion: 'sdxl' }, 'resolution', /SDXL was trained at 1024/],
    ['a commented prompt', { samplePrompts: ['# off'] }, 'samplePrompts', /skips it as a comment/],
    ['an unknown prompt option', { samplePrompts: ['a --steps 20'] }, 'samplePrompts', /"--steps" is not a sample option/],
    ['sampling beyond the steps', { sampleEveryNSteps: 5000 }, 'sampleEveryNSteps', /never comes/],
  ];
  for (const [name, patch, field, message] of warningCases) {
    it(`warns about ${name} without refusing it`, () => {
      const config = { ...base(), ...patch };
      assert.deepEqual(errorsOf(config), []);
      const hit = warningsOf(config).find((p) => p.field === field);
      assert.ok(hit, `no warning on ${field}`);
      assert.match(hit.message, message);
    });
  }

  it('takes Prodigy at a rate of 1.0 without a warning', () => {
    assert.deepEqual(validateTrainingConfig({ ...base(), optimizer: 'Prodigy', learningRate: 1, unetLr: 1, textEncoderLr: 1 }, m1), []);
  });
});
