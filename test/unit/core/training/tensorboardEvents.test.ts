import assert from 'node:assert/strict';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { crc32c, lossPointsFrom, maskedCrc32c, type ScalarEvent, TensorBoardScalars } from '../../../../src/core/training/tensorboardEvents';
import { withTempFolder } from '../../../support/tempStudio';

// A tiny protobuf and TFRecord writer, enough to write what accelerate's SummaryWriter writes.

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

const key = (field: number, wireType: number): Buffer => varint(field * 8 + wireType);
const varintField = (field: number, value: number): Buffer => Buffer.concat([key(field, 0), varint(value)]);
const bytesField = (field: number, value: Buffer | string): Buffer => {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([key(field, 2), varint(bytes.length), bytes]);
};
const doubleField = (field: number, value: number): Buffer => {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return Buffer.concat([key(field, 1), bytes]);
};
const floatField = (field: number, value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeFloatLE(value);
  return Buffer.concat([key(field, 5), bytes]);
};

/** Fields of every wire type a reader must step over, a group among them. */
const unknownFields = Buffer.concat([
  varintField(20, 2 ** 40),
  doubleField(21, 1.5),
  bytesField(22, 'plugin data'),
  floatField(23, 2.5),
  key(24, 3),
  varintField(1, 7),
  bytesField(2, 'in a group'),
  key(24, 4),
]);

function scalarValue(tag: string, value: number, withUnknown = false): Buffer {
  return bytesField(1, Buffer.concat([bytesField(1, tag), ...(withUnknown ? [unknownFields] : []), floatField(2, value)]));
}

/** A scalar as newer writers store it: a DT_FLOAT tensor with a packed float_val, plus plugin metadata. */
function tensorValue(tag: string, value: number): Buffer {
  const packed = Buffer.alloc(4);
  packed.writeFloatLE(value);
  const tensor = Buffer.concat([varintField(1, 1), bytesField(2, Buffer.alloc(0)), bytesField(5, packed)]);
  return bytesField(1, Buffer.concat([bytesField(1, tag), bytesField(9, bytesField(1, bytesField(1, 'scalars'))), bytesField(8, tensor)]));
}

function event(wallTime: number, step: number, values: Buffer[], summaryFirst = false): Buffer {
  const head = [doubleField(1, wallTime), varintField(2, step)];
  const summary = bytesField(5, Buffer.concat(values));
  return Buffer.concat(summaryFirst ? [summary, ...head] : [...head, summary]);
}

function record(data: Buffer): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(data.length));
  const crc = (bytes: Buffer): Buffer => {
    const out = Buffer.alloc(4);
    out.writeUInt32LE(maskedCrc32c(bytes));
    return out;
  };
  return Buffer.concat([length, crc(length), data, crc(data)]);
}

const fileVersion = record(Buffer.concat([doubleField(1, 1740823200), bytesField(3, 'brain.Event:2')]));
const step = (n: number, current: number, average: number): Buffer =>
  record(event(1740823200 + n, n, [scalarValue('loss/current', current), scalarValue('loss/average', average), scalarValue('lr/unet', 1e-4)]));
const float = (x: number): number => Math.fround(x);

describe('crc32c', () => {
  it('gives the standard check value', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
  });
});

describe('TensorBoardScalars', () => {
  it('reads the scalars of every event file under the log folder, only what was appended since the last poll', async () => {
    await withTempFolder(async (dir) => {
      const logs = path.join(dir, 'logs');
      const scalars = new TensorBoardScalars(logs);
      assert.deepEqual(await scalars.poll(), [], 'no folder yet');

      const run1 = path.join(logs, 'sksdog_20260301100000', 'network_train');
      await mkdir(run1, { recursive: true });
      const file1 = path.join(run1, 'events.out.tfevents.1740823200.host.4242.0');
      await writeFile(file1, Buffer.concat([fileVersion, step(1, 0.12, 0.12)]));
      await writeFile(path.join(run1, 'hparams.yml'), 'learning_rate: 1e-4\n');
      assert.deepEqual(await scalars.poll(), [
        { tag: 'loss/current', step: 1, value: float(0.12), wallTime: 1740823201 },
        { tag: 'loss/average', step: 1, value: float(0.12), wallTime: 1740823201 },
        { tag: 'lr/unet', step: 1, value: float(1e-4), wallTime: 1740823201 },
      ]);
      assert.deepEqual(await scalars.poll(), [], 'nothing new');

      // A record half written: nothing from it until the rest arrives.
      const second = step(2, 0.1, 0.11);
      await appendFile(file1, second.subarray(0, 20));
      assert.deepEqual(await scalars.poll(), []);
      await appendFile(file1, second.subarray(20, second.length - 2));
      assert.deepEqual(await scalars.poll(), []);
      await appendFile(file1, Buffer.concat([second.subarray(second.length - 2), step(3, 0.09, 0.105)]));
      assert.deepEqual(
        (await scalars.poll()).map((e) => [e.tag, e.step]),
        [['loss/current', 2], ['loss/average', 2], ['lr/unet', 2], ['loss/current', 3], ['loss/average', 3], ['lr/unet', 3]],
      );

      // A resumed run writes a new run folder.
      const run2 = path.join(logs, 'sksdog_20260301120000', 'network_train');
      await mkdir(run2, { recursive: true });
      await writeFile(path.join(run2, 'events.out.tfevents.1740830400.host.5151.0'), Buffer.concat([fileVersion, step(1, 0.08, 0.08)]));
      assert.deepEqual(
        (await scalars.poll()).map((e) => [e.tag, e.step, e.value]),
        [['loss/current', 1, float(0.08)], ['loss/average', 1, float(0.08)], ['lr/unet', 1, float(1e-4)]],
      );
    });
  });

  it('skips a record whose data CRC is wrong and finds the next record after garbage', async () => {
    await withTempFolder(async (dir) => {
      const corrupt = step(2, 0.5, 0.5);
      corrupt[20] = corrupt[20]! ^ 0xff;
      const garbage = Buffer.from('this is not a record header at all');
      await writeFile(path.join(dir, 'events.out.tfevents.1.host.1.0'), Buffer.concat([fileVersion, step(1, 0.12, 0.12), corrupt, garbage, step(3, 0.1, 0.11)]));
      const events = await new TensorBoardScalars(dir).poll();
      assert.deepEqual(
        events.filter((e) => e.tag === 'loss/current').map((e) => e.step),
        [1, 3],
      );
    });
  });

  it('waits for a header cut short by garbage at the end, then reads on', async () => {
    await withTempFolder(async (dir) => {
      const file = path.join(dir, 'events.out.tfevents.1.host.1.0');
      const scalars = new TensorBoardScalars(dir);
      const next = step(2, 0.2, 0.2);
      await writeFile(file, Buffer.concat([step(1, 0.3, 0.3), Buffer.from('xx'), next.subarray(0, 6)]));
      assert.equal((await scalars.poll()).length, 3);
      await appendFile(file, next.subarray(6));
      assert.deepEqual(
        (await scalars.poll()).map((e) => e.step),
        [2, 2, 2],
      );
    });
  });

  it('steps over unknown fields, a summary before the step, and reads tensor-valued scalars', async () => {
    await withTempFolder(async (dir) => {
      const data = Buffer.concat([unknownFields, event(10.5, 7, [scalarValue('loss/current', 0.25, true), tensorValue('loss/average', 0.5)], true)]);
      await writeFile(path.join(dir, 'events.out.tfevents.1.host.1.0'), record(data));
      assert.deepEqual(await new TensorBoardScalars(dir).poll(), [
        { tag: 'loss/current', step: 7, value: 0.25, wallTime: 10.5 },
        { tag: 'loss/average', step: 7, value: 0.5, wallTime: 10.5 },
      ]);
    });
  });

  it('reads a file again from its start when it was replaced by a shorter one', async () => {
    await withTempFolder(async (dir) => {
      const file = path.join(dir, 'events.out.tfevents.1.host.1.0');
      const scalars = new TensorBoardScalars(dir);
      await writeFile(file, Buffer.concat([fileVersion, step(1, 0.3, 0.3), step(2, 0.2, 0.2)]));
      assert.equal((await scalars.poll()).length, 6);
      await writeFile(file, step(1, 0.4, 0.4));
      assert.deepEqual(
        (await scalars.poll()).map((e) => e.value),
        [float(0.4), float(0.4), float(1e-4)],
      );
    });
  });
});

describe('lossPointsFrom', () => {
  const scalar = (tag: string, s: number, value: number): ScalarEvent => ({ tag, step: s, value, wallTime: 0 });

  it('pairs each loss/current with the loss/average of its step, whichever comes first, and ignores other tags', () => {
    assert.deepEqual(
      lossPointsFrom([
        scalar('loss/current', 1, 0.2),
        scalar('lr/unet', 1, 1e-4),
        scalar('loss/average', 1, 0.2),
        // Gradient accumulation repeats a step.
        scalar('loss/current', 2, 0.18),
        scalar('loss/average', 2, 0.19),
        scalar('loss/current', 2, 0.16),
        scalar('loss/average', 2, 0.18),
        scalar('loss/average', 3, 0.17),
        scalar('loss/current', 3, 0.15),
        scalar('loss/epoch_average', 1, 0.17),
        scalar('loss/current', 4, 0.14),
        scalar('loss/average', 5, 0.1),
      ]),
      [
        { step: 1, loss: 0.2, average: 0.2 },
        { step: 2, loss: 0.18, average: 0.19 },
        { step: 2, loss: 0.16, average: 0.18 },
        { step: 3, loss: 0.15, average: 0.17 },
        { step: 4, loss: 0.14, average: null },
      ],
    );
  });
});
