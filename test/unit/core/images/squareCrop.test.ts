import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { importImages } from '../../../../src/core/datasets/importImages';
import { anchoredSquare, cropChoices } from '../../../../src/core/images/squareCrop';
import { cropProblem, uprightSize } from '../../../../src/core/images/trainingImage';
import { blue, pixelAt, red, writeSplitImage } from '../../../support/datasetImages';
import { withTempFolder } from '../../../support/tempStudio';

describe('anchoredSquare', () => {
  it('keeps the largest square against the end asked for, or in the middle', () => {
    assert.deepEqual(anchoredSquare(900, 300, 'start'), { left: 0, top: 0, width: 300, height: 300 });
    assert.deepEqual(anchoredSquare(900, 300, 'centre'), { left: 300, top: 0, width: 300, height: 300 });
    assert.deepEqual(anchoredSquare(900, 300, 'end'), { left: 600, top: 0, width: 300, height: 300 });
    assert.deepEqual(anchoredSquare(300, 701, 'centre'), { left: 0, top: 200, width: 300, height: 300 });
    assert.deepEqual(anchoredSquare(300, 701, 'end'), { left: 0, top: 401, width: 300, height: 300 });
    assert.deepEqual(anchoredSquare(5, 5, 'end'), { left: 0, top: 0, width: 5, height: 5 });
  });

  it('always fits the picture', () => {
    for (const [width, height] of [[1, 9], [9, 1], [1023, 1024], [4000, 3000], [7, 7]] as const) {
      for (const anchor of ['start', 'centre', 'end'] as const) assert.equal(cropProblem(anchoredSquare(width, height, anchor), width, height), undefined);
    }
  });
});

describe('cropChoices', () => {
  it('offers top, centre and bottom for a tall picture, the centre first and given as no crop (the import\'s own default)', () => {
    const choices = cropChoices(600, 1000);
    assert.deepEqual(choices.map((choice) => [choice.label, choice.anchor]), [['Centre', 'centre'], ['Top', 'start'], ['Bottom', 'end']]);
    assert.equal(choices[0]!.crop, undefined);
    assert.deepEqual(choices[2]!.crop, { left: 0, top: 400, width: 600, height: 600 });
    assert.equal(choices[1]!.description, 'keeps the 600×600 square at the top: rows 0–599 of 1000');
    assert.equal(choices[0]!.description, 'keeps the 600×600 square at the middle: rows 200–799 of 1000');
  });

  it('offers left, centre and right for a wide picture, and nothing for a square one', () => {
    assert.deepEqual(cropChoices(900, 300).map((choice) => choice.label), ['Centre', 'Left', 'Right']);
    assert.equal(cropChoices(900, 300)[2]!.description, 'keeps the 300×300 square at the right: columns 600–899 of 900');
    assert.deepEqual(cropChoices(512, 512), []);
  });

  it('gives importImages a crop that keeps the chosen end of the picture', async () => {
    await withTempFolder(async (dir) => {
      // 900×300, the left third red: only the left square is all red, the right one all blue.
      const source = path.join(dir, 'wide.png');
      await writeSplitImage(source, 900, 300, 300, red, blue);
      const size = await uprightSize(source);
      assert.deepEqual(size, { width: 900, height: 300 });
      const [, left, right] = cropChoices(size.width, size.height);
      const { imported, failed } = await importImages(path.join(dir, 'set'), [
        { file: source, crop: left!.crop },
        { file: source, crop: right!.crop },
      ]);
      assert.deepEqual(failed, []);
      // The second is a different picture of the same source, so no duplicate.
      const [fromLeft, fromRight] = imported.map((entry) => entry.image) as [string, string];
      assert.deepEqual([await pixelAt(fromLeft, 5, 5), await pixelAt(fromLeft, 506, 506)], [red, red]);
      assert.deepEqual([await pixelAt(fromRight, 5, 5), await pixelAt(fromRight, 506, 506)], [blue, blue]);
    });
  });

  it('reads the size a viewer shows: a picture turned by its EXIF orientation has width and height swapped', async () => {
    await withTempFolder(async (dir) => {
      const turned = path.join(dir, 'turned.png');
      await writeSplitImage(turned, 40, 20, 20, red, blue, 6);
      assert.deepEqual(await uprightSize(turned), { width: 20, height: 40 });
    });
  });
});
