import type { Dirent } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isErrnoException, isMissingFile } from '../util/files';
import type { LossPoint } from './model';

/**
 * The scalars of a training's TensorBoard event files, read while the trainer writes them.
 *
 * sd-scripts (through accelerate's tracker) writes `<logging_dir>/<prefix><time>/network_train/
 * events.out.tfevents.*`, a new run folder at every launch, and flushes after every step. An event
 * file is a sequence of TFRecords: u64 LE length, masked CRC32C of those 8 bytes, the data, masked
 * CRC32C of the data. The data is a protobuf `Event`; scalars are `summary.value[].simple_value`
 * (or, from newer writers, a one-element float tensor).
 */

export interface ScalarEvent {
  readonly tag: string;
  readonly step: number;
  readonly value: number;
  /** Seconds since the epoch, as the writer recorded it. */
  readonly wallTime: number;
}

const eventFilePrefix = 'events.out.tfevents.';
/** A length above this is taken for corruption rather than waited for. */
const maxRecordBytes = 256 * 1024 * 1024;
const headerBytes = 12;
const footerBytes = 4;

/**
 * Reads the scalars appended to every event file under `logDir` since the last poll. A record
 * not yet complete is left for the next poll; a record whose CRC does not match is skipped (and,
 * when its length cannot be trusted, the reader looks for the next valid record header). A file
 * that shrank (replaced) is read again from its start. `logDir` may not exist yet.
 */
export class TensorBoardScalars {
  private readonly offsets = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly logDir: string) {}

  /** New scalars, file by file (files in path order, which is launch order for sd-scripts' dated run folders), each file's in record order. Polls never overlap. */
  poll(): Promise<ScalarEvent[]> {
    const next = this.queue.then(() => this.readAll());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async readAll(): Promise<ScalarEvent[]> {
    const events: ScalarEvent[] = [];
    for (const file of await findEventFiles(this.logDir)) {
      const offset = this.offsets.get(file) ?? 0;
      this.offsets.set(file, await readAppended(file, offset, events));
    }
    return events;
  }
}

/**
 * Loss chart points from scalars: each `loss/current` with the `loss/average` logged at the same
 * step (sd-scripts logs both on every micro-step, so a step may repeat under gradient
 * accumulation; each current takes the next average of its step). A current with no average in
 * `events` keeps `average: null`; an average with no current is dropped.
 */
export function lossPointsFrom(events: readonly ScalarEvent[]): LossPoint[] {
  const points: { step: number; loss: number; average: number | null }[] = [];
  const awaitingAverage = new Map<number, number>();
  const awaitingCurrent = new Map<number, number>();
  for (const { tag, step, value } of events) {
    if (tag === 'loss/current') {
      const average = awaitingCurrent.get(step);
      awaitingCurrent.delete(step);
      if (average === undefined) awaitingAverage.set(step, points.length);
      points.push({ step, loss: value, average: average ?? null });
    } else if (tag === 'loss/average') {
      const index = awaitingAverage.get(step);
      if (index === undefined) {
        awaitingCurrent.set(step, value);
      } else {
        points[index]!.average = value;
        awaitingAverage.delete(step);
      }
    }
  }
  return points;
}

async function findEventFiles(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (isMissingFile(error)) return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.startsWith(eventFilePrefix))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** Appends the scalars of the complete records after `offset` to `events`; returns the offset to read on from. */
async function readAppended(file: string, offset: number, events: ScalarEvent[]): Promise<number> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    // Removed between the listing and now.
    if (isErrnoException(error) && error.code === 'ENOENT') return offset;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const from = size < offset ? 0 : offset;
    if (size === from) return from;
    const bytes = Buffer.alloc(size - from);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, from);
    return from + readRecords(bytes.subarray(0, bytesRead), events);
  } finally {
    await handle.close();
  }
}

/** Decodes the complete records in `bytes`; returns how many bytes were used up. */
function readRecords(bytes: Buffer, events: ScalarEvent[]): number {
  let pos = 0;
  while (bytes.length - pos >= headerBytes) {
    if (!isRecordHeader(bytes, pos)) {
      pos = nextRecordHeader(bytes, pos + 1);
      continue;
    }
    const length = recordLength(bytes, pos);
    const dataStart = pos + headerBytes;
    if (bytes.length - dataStart < length + footerBytes) break;
    if (maskedCrc32c(bytes, dataStart, dataStart + length) === bytes.readUInt32LE(dataStart + length)) {
      decodeEvent(bytes, dataStart, dataStart + length, events);
    }
    pos = dataStart + length + footerBytes;
  }
  return pos;
}

function recordLength(bytes: Buffer, pos: number): number {
  return bytes.readUInt32LE(pos + 4) * 2 ** 32 + bytes.readUInt32LE(pos);
}

function isRecordHeader(bytes: Buffer, pos: number): boolean {
  return maskedCrc32c(bytes, pos, pos + 8) === bytes.readUInt32LE(pos + 8) && recordLength(bytes, pos) <= maxRecordBytes;
}

/** The next position from `pos` holding a valid header, or where a header may still be completing. */
function nextRecordHeader(bytes: Buffer, pos: number): number {
  for (; pos + headerBytes <= bytes.length; pos++) if (isRecordHeader(bytes, pos)) return pos;
  return pos;
}

/** Event{wall_time=1 double, step=2 int64, summary=5 Summary}; the summary may come before the step. */
function decodeEvent(bytes: Buffer, start: number, end: number, events: ScalarEvent[]): void {
  const reader = new ProtoReader(bytes, start, end);
  let wallTime = 0;
  let step = 0;
  const summaries: [number, number][] = [];
  try {
    while (reader.more()) {
      const key = reader.varint();
      const field = key >>> 3;
      const wireType = key & 7;
      if (field === 1 && wireType === 1) wallTime = reader.double();
      else if (field === 2 && wireType === 0) step = reader.varint();
      else if (field === 5 && wireType === 2) summaries.push(reader.bytes());
      else reader.skip(wireType, field);
    }
    for (const [from, to] of summaries) decodeSummary(bytes, from, to, step, wallTime, events);
  } catch {
    // A record whose CRC matched but whose content is not an Event: nothing to take from it.
  }
}

/** Summary{value=1 Value{tag=1 string, simple_value=2 float, tensor=8 TensorProto}}. */
function decodeSummary(bytes: Buffer, start: number, end: number, step: number, wallTime: number, events: ScalarEvent[]): void {
  const summary = new ProtoReader(bytes, start, end);
  while (summary.more()) {
    const key = summary.varint();
    if (key !== ((1 << 3) | 2)) {
      summary.skip(key & 7, key >>> 3);
      continue;
    }
    const [from, to] = summary.bytes();
    const value = new ProtoReader(bytes, from, to);
    let tag: string | undefined;
    let scalar: number | undefined;
    while (value.more()) {
      const valueKey = value.varint();
      const field = valueKey >>> 3;
      const wireType = valueKey & 7;
      if (field === 1 && wireType === 2) tag = value.string();
      else if (field === 2 && wireType === 5) scalar = value.float();
      else if (field === 8 && wireType === 2 && scalar === undefined) scalar = tensorScalar(bytes, ...value.bytes());
      else value.skip(wireType, field);
    }
    if (tag !== undefined && scalar !== undefined) events.push({ tag, step, value: scalar, wallTime });
  }
}

/** The first number of a TensorProto: float_val=5, double_val=6 (packed or not), or tensor_content=4 read by dtype=1 (1 float, 2 double). */
function tensorScalar(bytes: Buffer, start: number, end: number): number | undefined {
  const tensor = new ProtoReader(bytes, start, end);
  let dtype = 0;
  let content: [number, number] | undefined;
  let found: number | undefined;
  while (tensor.more()) {
    const key = tensor.varint();
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 1 && wireType === 0) dtype = tensor.varint();
    else if (field === 4 && wireType === 2) content = tensor.bytes();
    else if (field === 5 && wireType === 5) found ??= tensor.float();
    else if (field === 6 && wireType === 1) found ??= tensor.double();
    else if ((field === 5 || field === 6) && wireType === 2) {
      const [from, to] = tensor.bytes();
      if (field === 5 && to - from >= 4) found ??= bytes.readFloatLE(from);
      if (field === 6 && to - from >= 8) found ??= bytes.readDoubleLE(from);
    } else tensor.skip(wireType, field);
  }
  if (found !== undefined || !content) return found;
  if (dtype === 1 && content[1] - content[0] >= 4) return bytes.readFloatLE(content[0]);
  if (dtype === 2 && content[1] - content[0] >= 8) return bytes.readDoubleLE(content[0]);
  return undefined;
}

/** Just enough protobuf wire format to walk a message and skip what it does not want. Throws on a truncated field. */
class ProtoReader {
  constructor(
    private readonly buf: Buffer,
    private pos: number,
    private readonly end: number,
  ) {}

  more(): boolean {
    return this.pos < this.end;
  }

  /** Exact up to 2^53; a negative int64 comes out as a large positive number. */
  varint(): number {
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const byte = this.take(1);
      result += (this.buf[byte]! & 0x7f) * 2 ** shift;
      if ((this.buf[byte]! & 0x80) === 0) return result;
    }
    throw new Error('varint too long');
  }

  double(): number {
    return this.buf.readDoubleLE(this.take(8));
  }

  float(): number {
    return this.buf.readFloatLE(this.take(4));
  }

  /** A length-delimited field's bounds. */
  bytes(): [number, number] {
    const length = this.varint();
    const from = this.take(length);
    return [from, from + length];
  }

  string(): string {
    const [from, to] = this.bytes();
    return this.buf.toString('utf8', from, to);
  }

  skip(wireType: number, field: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.take(8);
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.take(4);
    else if (wireType === 3) {
      // A group: its fields up to the matching end-group key.
      for (;;) {
        const key = this.varint();
        if ((key & 7) === 4) {
          if (key >>> 3 !== field) throw new Error('mismatched group');
          return;
        }
        this.skip(key & 7, key >>> 3);
      }
    } else throw new Error(`wire type ${wireType}`);
  }

  private take(count: number): number {
    const at = this.pos;
    if (count > this.end - at) throw new Error('truncated field');
    this.pos = at + count;
    return at;
  }
}

const crcTable = ((): Int32Array => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    // CRC-32C (Castagnoli), reflected polynomial.
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32C of `bytes[from, to)`. */
export function crc32c(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let crc = -1;
  for (let i = from; i < to; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** TFRecord's masked CRC: rotated right by 15 bits, plus a constant, so a CRC of CRCs stays strong. */
export function maskedCrc32c(bytes: Uint8Array, from = 0, to = bytes.length): number {
  const crc = crc32c(bytes, from, to);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
