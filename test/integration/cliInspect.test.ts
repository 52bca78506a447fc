// `studionova inspect` from a terminal, on images made for real: by the ComfyUI test double
// through `studionova generate`, copied out of the studio, and an A1111-style PNG.
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { type ManifestEntry, parseManifest } from '../../src/core/generation/manifest';
import { withPngText } from '../../src/core/metadata/pngText';
import { type FakeComfy, startFakeComfy } from '../support/fakeComfy';
import { runCli } from '../support/runCli';
import { withSampleStudio, withTempFolder } from '../support/tempStudio';

interface Inspected {
  file: string;
  source: string;
  prompt?: string;
  negative?: string;
  seed?: number;
  steps?: number;
  cfg?: number;
  sampler?: string;
  scheduler?: string;
  width?: number;
  height?: number;
  checkpoint?: string;
  loras: Array<{ name: string; strength?: number }>;
  extra: Array<{ key: string; label: string; value: string }>;
}

async function inspect(...args: string[]): Promise<Inspected> {
  const result = await runCli('inspect', ...args);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Inspected;
}

const extra = (found: Inspected, key: string): string | undefined => found.extra.find((field) => field.key === key)?.value;
const withoutExtension = (name: string): string => name.replace(/\.safetensors$/, '');

let comfy: FakeComfy;
before(async () => {
  comfy = await startFakeComfy({ args: ['--fake-step-ms', '2'], models: { checkpoints: ['v1-5-pruned-emaonly.safetensors'], loras: ['spyke_plasma_v1.safetensors'] } });
});
after(() => comfy.stop());

describe('studionova inspect', () => {
  it("describes a studio image by its log line and sidecar, and the same file elsewhere by ComfyUI's PNG chunks", async () => {
    await withSampleStudio(async (studio) => {
      const generated = await runCli('generate', '--studio', studio, '--chapter', '1', '--page', '1', '--panel', '2', '--url', comfy.url);
      assert.equal(generated.code, 0, generated.stderr);
      const [entry] = parseManifest(await readFile(path.join(studio, 'output/generation-log.jsonl'), 'utf8')) as [ManifestEntry];
      const image = path.join(studio, entry.image);

      const own = await inspect(image);
      assert.equal(own.file, image);
      assert.equal(own.source, 'studionova');
      assert.deepEqual(
        [own.prompt, own.negative, own.seed, own.steps, own.cfg, own.sampler, own.scheduler, own.width, own.height, own.checkpoint],
        [entry.prompt, entry.negative, entry.seed, entry.steps, entry.cfg, entry.sampler, entry.scheduler, entry.width, entry.height, entry.checkpoint],
      );
      assert.deepEqual([extra(own, 'chapter'), extra(own, 'page'), extra(own, 'panel'), extra(own, 'version')], ['1', '1', '2', '1']);
      assert.equal(extra(own, 'denoise'), '1', 'from the workflow sidecar');
      // From another folder, naming the studio, the log line is still found.
      await withTempFolder(async (elsewhere) => {
        const copy = path.join(elsewhere, path.basename(image));
        await copyFile(image, copy);
        assert.equal((await inspect(copy, '--studio', studio)).source, 'studionova');

        // Outside any studio, the PNG's own chunks, written by the ComfyUI double as SaveImage does, say the same.
        const foreign = await inspect(copy);
        assert.equal(foreign.source, 'comfyui');
        assert.deepEqual(
          [foreign.prompt, foreign.negative, foreign.seed, foreign.steps, foreign.cfg, foreign.sampler, foreign.scheduler, foreign.width, foreign.height, foreign.checkpoint],
          [entry.prompt, entry.negative, entry.seed, entry.steps, entry.cfg, entry.sampler, entry.scheduler, entry.width, entry.height, entry.checkpoint],
        );
        assert.deepEqual(
          foreign.loras.map((lora) => [withoutExtension(lora.name), lora.strength]),
          entry.lora ? [[withoutExtension(entry.lora.name), entry.lora.strength]] : [],
        );
      });
    });
  });

  it('reads an Automatic1111 PNG, keeping the settings it has no field for', async () => {
    await withTempFolder(async (dir) => {
      const infotext = 'a lighthouse at dusk\nNegative prompt: blurry\nSteps: 28, Sampler: DPM++ 2M, CFG scale: 6.5, Seed: 1234567890, Size: 64x48, Model: sd_xl_base_1.0, Version: v1.10.1';
      const pixels = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#123' } }).png().toBuffer();
      const file = path.join(dir, '00001-1234567890.png');
      await writeFile(file, withPngText(pixels, [{ keyword: 'parameters', text: infotext }]));
      const found = await inspect(file);
      assert.deepEqual(found, {
        file,
        source: 'a1111',
        prompt: 'a lighthouse at dusk',
        negative: 'blurry',
        seed: 1234567890,
        steps: 28,
        cfg: 6.5,
        sampler: 'DPM++ 2M',
        width: 64,
        height: 48,
        checkpoint: 'sd_xl_base_1.0',
        loras: [],
        extra: [{ key: 'version', label: 'Version', value: 'v1.10.1' }],
      });
    });
  });

  it('exits 1 with what to do for a missing file or one that is not an image, and 2 without an image', async () => {
    await withTempFolder(async (dir) => {
      const missing = await runCli('inspect', path.join(dir, 'nope.png'));
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /nope\.png does not exist: give the path of a PNG, JPEG or WebP image/);
      assert.equal(missing.stdout, '');
      await writeFile(path.join(dir, 'notes.txt'), 'hello');
      const notImage = await runCli('inspect', path.join(dir, 'notes.txt'));
      assert.equal(notImage.code, 1);
      assert.match(notImage.stderr, /notes\.txt is not an image StudioNOVA can read/);
      const bare = await runCli('inspect');
      assert.equal(bare.code, 2);
      assert.match(bare.stderr, /Usage: studionova inspect <image>/);
    });
  });
});
