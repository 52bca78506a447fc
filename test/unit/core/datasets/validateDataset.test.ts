import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { validateDataset } from '../../../../src/core/datasets/validateDataset';
import type { Problem } from '../../../../src/core/model/problem';
import { blue, green, red, type Rgb, writeSolidPng, writeSplitImage } from '../../../support/datasetImages';
import { withSampleStudio, withTempFolder } from '../../../support/tempStudio';

const trigger = 'spyke_v1';

/** A dataset of `count` distinct 64-pixel images, each captioned with the trigger. */
async function writeDataset(folder: string, count: number, settings: Record<string, unknown> = { trigger, resolution: 64 }): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'dataset.json'), JSON.stringify(settings));
  for (let i = 1; i <= count; i++) {
    const name = `img_${String(i).padStart(2, '0')}`;
    await writeSplitImage(path.join(folder, `${name}.png`), 64, 64, i, red, blue);
    await writeFile(path.join(folder, `${name}.txt`), `${trigger}, full body, standing, street`);
  }
}

const codes = (problems: readonly Problem[]): string[] => problems.map((p) => `${p.severity} ${p.code} ${p.file}`);

describe('validateDataset', () => {
  it('reports each kind of problem on its file, with what to do', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'spyke');
      await writeDataset(folder, 1);
      const image = async (name: string, colour: Rgb, size = 64): Promise<void> => writeSolidPng(path.join(folder, name), size, colour);
      await image('no_caption.png', green);
      await image('empty.png', [10, 10, 10]);
      await writeFile(path.join(folder, 'empty.txt'), '  \n');
      await image('no_trigger.png', [20, 20, 20]);
      await writeFile(path.join(folder, 'no_trigger.txt'), 'spyke_v1s, full body, street');
      await image('big.png', [30, 30, 30], 128);
      await writeFile(path.join(folder, 'big.txt'), `${trigger}, portrait`);
      await writeFile(path.join(folder, 'broken.png'), 'not a picture');
      await writeFile(path.join(folder, 'broken.txt'), `${trigger}, portrait`);
      // The same picture as no_caption.png, in other bytes.
      await writeSolidPng(path.join(folder, 'same.png'), 64, green, 9);
      await writeFile(path.join(folder, 'same.txt'), `${trigger}, portrait`);
      await writeFile(path.join(folder, 'stray.txt'), `${trigger}, portrait`);

      const { problems, summary } = await validateDataset(folder);

      assert.deepEqual(codes(problems).sort(), [
        'error dataset.caption-empty spyke/empty.txt',
        'error dataset.caption-missing spyke/no_caption.png',
        'error dataset.caption-no-trigger spyke/no_trigger.txt',
        'error dataset.duplicate spyke/same.png',
        'error dataset.unreadable-image spyke/broken.png',
        'error dataset.wrong-size spyke/big.png',
        'warning dataset.caption-orphan spyke/stray.txt',
        'warning dataset.image-count spyke/dataset.json',
      ]);
      const message = (code: string): string => problems.find((p) => p.code === code)!.message;
      assert.equal(message('dataset.caption-missing'), `no_caption.png has no caption: write no_caption.txt as "${trigger}, framing, pose/action, background".`);
      assert.equal(message('dataset.caption-no-trigger'), `no_trigger.txt does not name the trigger word "${trigger}": start it with "${trigger}, ".`);
      assert.match(message('dataset.wrong-size'), /^big\.png is 128×128; this dataset trains at 64×64: import it again/);
      assert.equal(message('dataset.duplicate'), 'same.png is the same picture as no_caption.png: delete one of them, or it trains twice as much.');
      assert.match(message('dataset.image-count'), /^7 images \(flips not counted\); a character LoRA wants 15–20: add 8 or more\.$/);
      assert.deepEqual(problems.find((p) => p.code === 'dataset.caption-no-trigger')!.range, { startLine: 0, startColumn: 0, endLine: 0, endColumn: 28 });
      assert.deepEqual(summary, {
        kind: 'character',
        resolution: 64,
        trigger,
        images: 7,
        derived: 0,
        captioned: 6,
        errors: 6,
        warnings: 2,
        findings: {
          'dataset.unreadable-image': 1,
          'dataset.caption-missing': 1,
          'dataset.caption-empty': 1,
          'dataset.caption-no-trigger': 1,
          'dataset.wrong-size': 1,
          'dataset.caption-orphan': 1,
          'dataset.duplicate': 1,
          'dataset.image-count': 1,
        },
      });
    });
  });

  it('finds an image damaged past its header when it decodes it for duplicates', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'set');
      await writeDataset(folder, 15);
      const whole = await readFile(path.join(folder, 'img_01.png'));
      await writeFile(path.join(folder, 'img_01.png'), whole.subarray(0, Math.floor(whole.length * 0.6)));

      assert.deepEqual(codes((await validateDataset(folder)).problems), ['error dataset.unreadable-image set/img_01.png']);
      assert.deepEqual((await validateDataset(folder, { findDuplicates: false })).problems, []);
    });
  });

  it('wants 15–20 images of a character, as a warning only', async () => {
    await withTempFolder(async (dir) => {
      for (const [count, warned] of [[14, true], [15, false], [20, false], [21, true]] as const) {
        const folder = path.join(dir, `set-${count}`);
        await writeDataset(folder, count);
        const { problems, summary } = await validateDataset(folder);
        assert.deepEqual(codes(problems), warned ? [`warning dataset.image-count set-${count}/dataset.json`] : [], `${count} images`);
        assert.equal(summary.errors, 0);
      }
    });
  });

  it('asks no count, no trigger and only warns of missing captions in a regularization set', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'woman');
      await writeDataset(folder, 3, { kind: 'regularization', resolution: 64 });
      await writeFile(path.join(folder, 'img_01.txt'), 'a woman, standing');
      await writeSolidPng(path.join(folder, 'bare.png'), 64, green);

      const { problems, summary } = await validateDataset(folder);

      assert.deepEqual(codes(problems), ['warning dataset.caption-missing woman/bare.png']);
      assert.equal(problems[0]!.message, 'bare.png has no caption: write bare.txt.');
      assert.equal(summary.kind, 'regularization');
    });
  });

  it("takes the character's trigger word when dataset.json has none, and names files from the studio root", async () => {
    await withSampleStudio(async (root) => {
      const folder = path.join(root, 'datasets', 'spyke');
      await writeFile(path.join(folder, 'dataset.json'), JSON.stringify({ character: 'spyke', kind: 'character' }));
      await writeFile(path.join(folder, 'spyke_002.txt'), 'full body, walking, rooftop at dusk');

      const { problems, summary } = await validateDataset(folder, { studioRoot: root });

      assert.equal(summary.trigger, 'spyke_plasma_v1');
      assert.equal(summary.resolution, 512);
      assert.deepEqual(codes(problems), [
        'error dataset.caption-no-trigger datasets/spyke/spyke_002.txt',
        'error dataset.caption-missing datasets/spyke/spyke_003.png',
        'warning dataset.image-count datasets/spyke/dataset.json',
      ]);
    });
  });

  it('says when there is no trigger word to check captions against, and reports a broken dataset.json', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'set');
      await writeDataset(folder, 15, { resolution: 64 });
      assert.deepEqual(codes((await validateDataset(folder)).problems), ['warning dataset.no-trigger set/dataset.json']);

      await writeFile(path.join(folder, 'dataset.json'), '{ "trigger": "two words", "resolution": 64 }');
      const { problems } = await validateDataset(folder);
      assert.ok(problems.some((p) => p.code === 'dataset.invalid' && p.file === 'set/dataset.json'), JSON.stringify(problems));
    });
  });
});
