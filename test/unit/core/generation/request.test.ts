import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHardware, seedsFor } from '../../../../src/core/generation/request';
import { hardwarePresets } from '../../../../src/core/settings/hardware';
import { InvalidInputError } from '../../../../src/core/util/errors';

const m1 = hardwarePresets['apple-m1-16gb'];

describe('checkHardware', () => {
  it('refuses 640×768 on the M1 profile, naming the limit', () => {
    assert.throws(() => checkHardware({ width: 640, height: 768 }, m1.limits, m1.label), (error: unknown) => {
      assert.ok(error instanceof InvalidInputError);
      assert.match(error.userMessage, /640×768 is over the Apple M1, 16 GB limit of 512×768/);
      return true;
    });
  });

  it('accepts the limit either way round, and refuses sizes that are not multiples of 8', () => {
    checkHardware({ width: 512, height: 768 }, m1.limits, m1.label);
    checkHardware({ width: 768, height: 512 }, m1.limits, m1.label);
    assert.throws(() => checkHardware({ width: 510, height: 512 }, m1.limits, m1.label), /multiples of 8/);
    checkHardware({ width: 1024, height: 1536 }, hardwarePresets['nvidia-24gb'].limits, 'x');
  });
});

describe('seedsFor', () => {
  it('gives each image its own seed, counting up from a given one', () => {
    assert.deepEqual(seedsFor(3, 1234), [1234, 1235, 1236]);
    const random = seedsFor(4);
    assert.equal(new Set(random).size, 4);
    assert.ok(random.every((seed) => Number.isSafeInteger(seed) && seed >= 0));
  });

  it('refuses counts and seeds out of range', () => {
    assert.throws(() => seedsFor(0), InvalidInputError);
    assert.throws(() => seedsFor(2, -1), InvalidInputError);
    assert.throws(() => seedsFor(1, 1.5), InvalidInputError);
  });
});
