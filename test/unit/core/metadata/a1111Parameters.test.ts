import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { a1111Parameters, parseA1111Infotext } from '../../../../src/core/metadata/a1111Parameters';

const example = [
  'a lighthouse at dusk, volumetric light',
  'Negative prompt: blurry, lowres',
  'Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 1234567890, Size: 832x1216, Model hash: 31e35c80fc, Model: sd_xl_base_1.0, Lora hashes: "detail: 0a1b2c3d4e5f", Version: v1.10.1',
].join('\n');

describe('parseA1111Infotext', () => {
  it('splits the example of the reference into prompt, negative and settings in order', () => {
    assert.deepEqual(parseA1111Infotext(example), {
      prompt: 'a lighthouse at dusk, volumetric light',
      negative: 'blurry, lowres',
      settings: [
        { key: 'Steps', value: '28' },
        { key: 'Sampler', value: 'DPM++ 2M' },
        { key: 'Schedule type', value: 'Karras' },
        { key: 'CFG scale', value: '6.5' },
        { key: 'Seed', value: '1234567890' },
        { key: 'Size', value: '832x1216' },
        { key: 'Model hash', value: '31e35c80fc' },
        { key: 'Model', value: 'sd_xl_base_1.0' },
        { key: 'Lora hashes', value: 'detail: 0a1b2c3d4e5f' },
        { key: 'Version', value: 'v1.10.1' },
      ],
    });
  });

  it('keeps multi-line prompts and negatives, with their continuation lines', () => {
    const text = ['masterpiece, 1girl,', '  silver hair, night  ', '', 'Negative prompt: lowres,', 'bad hands', 'Steps: 20, Sampler: Euler a, CFG scale: 7'].join('\n');
    const parsed = parseA1111Infotext(text);
    assert.equal(parsed.prompt, 'masterpiece, 1girl,\nsilver hair, night\n');
    assert.equal(parsed.negative, 'lowres,\nbad hands');
    assert.deepEqual(parsed.settings.map((s) => s.key), ['Steps', 'Sampler', 'CFG scale']);
  });

  it('unquotes JSON-quoted values that hold commas, colons and quotes', () => {
    const parsed = parseA1111Infotext('a cat\nSteps: 20, Hires upscaler: "4x-UltraSharp, v2", ADetailer prompt: "face: \\"smile\\", detailed", Seed: 3');
    assert.deepEqual(parsed.settings, [
      { key: 'Steps', value: '20' },
      { key: 'Hires upscaler', value: '4x-UltraSharp, v2' },
      { key: 'ADetailer prompt', value: 'face: "smile", detailed' },
      { key: 'Seed', value: '3' },
    ]);
  });

  it('keeps a last line with fewer than three "key: value" pairs in the prompt', () => {
    const parsed = parseA1111Infotext('portrait of a knight\nstyle: oil painting, mood: calm');
    assert.deepEqual(parsed, { prompt: 'portrait of a knight\nstyle: oil painting, mood: calm', negative: undefined, settings: [] });
  });

  it('has no negative when there is no "Negative prompt:" line', () => {
    const parsed = parseA1111Infotext('a forest\nSteps: 10, Sampler: Euler, Seed: 5');
    assert.equal(parsed.prompt, 'a forest');
    assert.equal(parsed.negative, undefined);
  });

  it('joins lines after an empty first negative line as A1111 does: no leading newline', () => {
    const parsed = parseA1111Infotext('a forest\nNegative prompt:\nugly\nSteps: 10, Sampler: Euler, Seed: 5');
    assert.equal(parsed.negative, 'ugly');
  });
});

describe('a1111Parameters', () => {
  it('puts the usual settings in their fields and every other one, in order, in extra', () => {
    const params = a1111Parameters(example);
    assert.deepEqual(
      [params.prompt, params.negative, params.seed, params.steps, params.cfg, params.sampler, params.scheduler, params.width, params.height, params.checkpoint],
      ['a lighthouse at dusk, volumetric light', 'blurry, lowres', 1234567890, 28, 6.5, 'DPM++ 2M', 'Karras', 832, 1216, 'sd_xl_base_1.0'],
    );
    assert.deepEqual(params.loras, [{ name: 'detail', strength: undefined }]);
    assert.deepEqual(params.extra, [
      { key: 'modelHash', label: 'Model hash', value: '31e35c80fc' },
      { key: 'loraHashes', label: 'Lora hashes', value: 'detail: 0a1b2c3d4e5f' },
      { key: 'version', label: 'Version', value: 'v1.10.1' },
    ]);
  });

  it("takes a LoRA's strength from the prompt's <lora:name:weight> tag, and lists tagged LoRAs without a hash too", () => {
    const params = a1111Parameters('<lora:detail:0.7> <lora:film_grain:1> a cat\nSteps: 20, Seed: 1, Lora hashes: "detail: abc123, grain v2: def456", Denoising strength: 0.4');
    assert.deepEqual(params.loras, [
      { name: 'detail', strength: 0.7 },
      { name: 'grain v2', strength: undefined },
      { name: 'film_grain', strength: 1 },
    ]);
    assert.deepEqual(params.extra.find((field) => field.label === 'Denoising strength'), { key: 'denoise', label: 'Denoising strength', value: '0.4' });
  });

  it('keeps a setting that does not read as its field (a size that is not WxH) in extra', () => {
    const params = a1111Parameters('x\nSteps: many, Size: large, Seed: 7');
    assert.deepEqual([params.steps, params.width, params.seed], [undefined, undefined, 7]);
    assert.deepEqual(params.extra.map((field) => [field.key, field.value]), [
      ['steps', 'many'],
      ['size', 'large'],
    ]);
  });
});
