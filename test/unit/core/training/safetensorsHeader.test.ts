import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loraFacts, readSafetensorsHeader } from '../../../../src/core/training/safetensorsHeader';
import { InvalidInputError } from '../../../../src/core/util/errors';
import { withTempFolder } from '../../../support/tempStudio';

/** A safetensors file as the format has it: u64 LE header length, JSON padded with spaces to 8 bytes, then the tensor data. */
function safetensors(metadata: Record<string, string> | undefined, tensorCount: number): Buffer {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  const rank = 4;
  const elementBytes = 2 * rank * 320;
  for (let i = 0; i < tensorCount; i++) {
    header[`lora_unet_down_blocks_0_attentions_0_proj_in.${i}.lora_down.weight`] = {
      dtype: 'F16',
      shape: [rank, 320],
      data_offsets: [i * elementBytes, (i + 1) * elementBytes],
    };
  }
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, ' ')]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, Buffer.alloc(tensorCount * elementBytes, 0x3c)]);
}

/** What sd-scripts writes for a folder-mode SD1.5 run (`--train_data_dir`), trimmed to the keys that matter here. */
const folderRun: Record<string, string> = {
  ss_session_id: '123456',
  ss_output_name: 'sksdog',
  ss_base_model_version: 'sd_v1',
  ss_sd_model_name: 'v1-5-pruned-emaonly.safetensors',
  ss_network_module: 'networks.lora',
  ss_network_dim: '16',
  ss_network_alpha: '8.0',
  ss_steps: '400',
  ss_epoch: '4',
  ss_num_train_images: '200',
  ss_resolution: '(512, 768)',
  ss_dataset_dirs: JSON.stringify({ '10_sks dog': { n_repeats: 10, img_count: 20 }, '5_sks dog park': { n_repeats: 5, img_count: 6 } }),
  ss_tag_frequency: JSON.stringify({
    '10_sks dog': { 'sks dog': 20, beach: 3, sitting: 5, 'from side': 2, grass: 2, sky: 1, ball: 1, collar: 4, tail: 4 },
    '5_sks dog park': { 'sks dog': 6, grass: 4, tree: 3, bench: 1, running: 2 },
  }),
  ss_training_finished_at: '1740823456.5',
  ss_training_started_at: '1740823000.1',
  ss_seed: '42',
  'modelspec.architecture': 'stable-diffusion-v1/lora',
  'modelspec.title': 'sksdog',
};

describe('readSafetensorsHeader', () => {
  it('reads the metadata and counts the tensors from the header alone', async () => {
    await withTempFolder(async (dir) => {
      const file = path.join(dir, 'sksdog.safetensors');
      const bytes = safetensors(folderRun, 3);
      await writeFile(file, bytes);
      const header = await readSafetensorsHeader(file);
      assert.deepEqual(header.metadata, folderRun);
      assert.equal(header.tensorCount, 3);
      assert.equal(header.headerBytes, Number(bytes.readBigUInt64LE(0)));
      assert.equal(header.headerBytes % 8, 0);

      const bare = path.join(dir, 'bare.safetensors');
      await writeFile(bare, safetensors(undefined, 2));
      assert.deepEqual(await readSafetensorsHeader(bare), { metadata: {}, tensorCount: 2, headerBytes: Number(safetensors(undefined, 2).readBigUInt64LE(0)) });
    });
  });

  it('refuses, naming the file, a header over 100 MB, one that is not JSON, one past the end, a tiny file and a missing one', async () => {
    await withTempFolder(async (dir) => {
      const refuses = async (name: string, bytes: Buffer | null, why: RegExp): Promise<void> => {
        const file = path.join(dir, name);
        if (bytes) await writeFile(file, bytes);
        await assert.rejects(readSafetensorsHeader(file), (error: unknown) => {
          assert.ok(error instanceof InvalidInputError, String(error));
          assert.ok(error.message.includes(file), error.message);
          assert.match(error.message, why);
          return true;
        });
      };
      const lengthOf = (n: bigint): Buffer => {
        const length = Buffer.alloc(8);
        length.writeBigUInt64LE(n);
        return length;
      };
      await refuses('huge.safetensors', Buffer.concat([lengthOf(100n * 1024n * 1024n + 1n), Buffer.from('{}')]), /100 MB/);
      await refuses('text.safetensors', Buffer.concat([lengthOf(9n), Buffer.from('not json!')]), /not JSON/);
      await refuses('list.safetensors', Buffer.concat([lengthOf(2n), Buffer.from('[]')]), /not a JSON object/);
      await refuses('cut.safetensors', Buffer.concat([lengthOf(4096n), Buffer.from('{"a":')]), /4096 bytes/);
      await refuses('tiny.safetensors', Buffer.from([1, 2, 3]), /shorter/);
      await refuses('missing.safetensors', null, /does not exist/);
    });
  });
});

describe('loraFacts', () => {
  it('reads a folder-mode SD1.5 run', () => {
    assert.deepEqual(loraFacts(folderRun), {
      baseModel: 'SD 1.5 (v1-5-pruned-emaonly.safetensors)',
      networkDim: 16,
      networkAlpha: 8,
      steps: 400,
      epoch: 4,
      imageCount: 26,
      resolution: '512x768',
      outputName: 'sksdog',
      trainedAt: '2025-03-01T10:04:16.500Z',
      topTags: [
        { tag: 'sks dog', count: 26 },
        { tag: 'grass', count: 6 },
        { tag: 'sitting', count: 5 },
        { tag: 'collar', count: 4 },
        { tag: 'tail', count: 4 },
        { tag: 'beach', count: 3 },
        { tag: 'tree', count: 3 },
        { tag: 'from side', count: 2 },
        { tag: 'running', count: 2 },
        { tag: 'ball', count: 1 },
      ],
    });
  });

  it('reads a dataset-config SDXL run: datasets, reg subsets left out, the default rank, None values', () => {
    const facts = loraFacts({
      ss_base_model_version: 'sdxl_base_v1-0',
      ss_network_module: 'networks.lora',
      ss_network_dim: 'None',
      ss_network_alpha: '1',
      ss_steps: '1200',
      ss_epoch: '2',
      ss_num_train_images: '400',
      ss_output_name: 'None',
      ss_training_finished_at: 'None',
      ss_datasets: JSON.stringify([
        {
          is_dreambooth: true,
          resolution: [1024, 1024],
          num_train_images: 300,
          subsets: [
            { img_count: 15, num_repeats: 10, image_dir: 'train', is_reg: false },
            { img_count: 100, num_repeats: 1, image_dir: 'reg', is_reg: true },
          ],
          tag_frequency: { train: { spyke: 15 } },
        },
        { is_dreambooth: true, resolution: [768, 1344], subsets: [{ img_count: 5, num_repeats: 20, image_dir: 'tall', is_reg: false }], tag_frequency: { tall: { spyke: 5, standing: 5 } } },
      ]),
      'modelspec.title': 'spyke_v2',
    });
    assert.deepEqual(facts, {
      baseModel: 'SDXL',
      networkDim: 4,
      networkAlpha: 1,
      steps: 1200,
      epoch: 2,
      imageCount: 20,
      resolution: '1024x1024, 768x1344',
      outputName: 'spyke_v2',
      trainedAt: null,
      topTags: [
        { tag: 'spyke', count: 20 },
        { tag: 'standing', count: 5 },
      ],
    });
  });

  it('falls back on ModelSpec and ss_num_train_images, and gives null for what is missing or unreadable', () => {
    assert.deepEqual(
      loraFacts({
        'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora',
        'modelspec.resolution': '1024x1024',
        ss_network_dim: 'None',
        ss_num_train_images: '150',
        ss_tag_frequency: '{not json',
        ss_steps: 'many',
      }),
      {
        baseModel: 'SDXL',
        networkDim: null,
        networkAlpha: null,
        steps: null,
        epoch: null,
        imageCount: 150,
        resolution: '1024x1024',
        outputName: null,
        trainedAt: null,
        topTags: [],
      },
    );
    assert.equal(loraFacts({ 'modelspec.architecture': 'stable-diffusion-v2-768-v/lora' }).baseModel, 'SD 2.x (768, v-prediction)');
    assert.equal(loraFacts({ ss_sd_model_name: 'animefull.ckpt' }).baseModel, 'animefull.ckpt');
    assert.equal(loraFacts({}).baseModel, null);
  });
});
