// The sd-scripts test double (test/fakes/sd-scripts) and its accelerate launcher
// (test/fakes/accelerate) run for real, as the extension runs the real trainer, and checked
// against shared/reference/kohya-training.md: streams, bar redraws, banner, files, metadata,
// TensorBoard framing, sample names, exit codes and the process tree.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type FakeSdScripts, prepareFakeSdScripts, writeCaptionedImages } from '../support/fakeSdScripts';
import { tempFolder } from '../support/tempStudio';

// ------------------------------------------------------------------ helpers

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Once the process has exited and its pipes are closed (a surviving grandchild keeps them open). */
  finished: Promise<Finished>;
  /** Once the process itself has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a program without a shell; PYTHONUNBUFFERED only when asked, as a launcher would choose. */
function start(program: string, args: string[], cwd: string, options: { unbuffered?: boolean; detached?: boolean } = {}): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONIOENCODING: 'utf-8' };
  delete env['PYTHONUNBUFFERED'];
  delete env['COLUMNS'];
  delete env['LINES'];
  if (options.unbuffered) env['PYTHONUNBUFFERED'] = '1';
  const child = spawn(program, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const finished = new Promise<Finished>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, finished, exited };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The `__metadata__` of a safetensors file, read from its header only. */
async function safetensorsMetadata(file: string): Promise<Record<string, string>> {
  const bytes = await readFile(file);
  const length = Number(bytes.readBigUInt64LE(0));
  assert.equal(length % 8, 0, 'the header is padded to 8 bytes');
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as Record<string, { data_offsets?: [number, number] }>;
  const dataLength = bytes.length - 8 - length;
  const ends = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([, tensor]) => tensor.data_offsets![1]);
  assert.equal(Math.max(...ends), dataLength, 'the tensors fill the data section');
  return (header['__metadata__'] ?? {}) as unknown as Record<string, string>;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  return c >>> 0;
});

function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function maskedCrc(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** The records of a TFRecord file, each CRC checked. */
function tfRecords(bytes: Buffer): Buffer[] {
  const records: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const lengthBytes = bytes.subarray(at, at + 8);
    assert.equal(bytes.readUInt32LE(at + 8), maskedCrc(lengthBytes), `length CRC of the record at ${at}`);
    const length = Number(lengthBytes.readBigUInt64LE(0));
    const data = bytes.subarray(at + 12, at + 12 + length);
    assert.equal(bytes.readUInt32LE(at + 12 + length), maskedCrc(data), `data CRC of the record at ${at}`);
    records.push(data);
    at += 12 + length + 4;
  }
  return records;
}

interface Scalar {
  step: number;
  tag: string;
  value: number;
}

/** Just enough protobuf for Event{wall_time=1, step=2, file_version=3, summary=5{value=1{tag=1, simple_value=2}}}. */
function decodeEvent(data: Buffer): { step: number; fileVersion?: string; scalar?: Omit<Scalar, 'step'> } {
  const fields = (bytes: Buffer): [number, number, Buffer | number][] => {
    const out: [number, number, Buffer | number][] = [];
    let at = 0;
    const varint = (): number => {
      let value = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = bytes[at++]!;
        value += (byte & 0x7f) * 2 ** shift;
        if (!(byte & 0x80)) return value;
      }
    };
    while (at < bytes.length) {
      const key = varint();
      const [field, wire] = [Math.floor(key / 8), key & 7];
      if (wire === 0) {
        out.push([field, wire, varint()]);
        continue;
      }
      const length = wire === 1 ? 8 : wire === 5 ? 4 : wire === 2 ? varint() : Number.NaN;
      if (Number.isNaN(length)) throw new Error(`wire type ${wire}`);
      out.push([field, wire, bytes.subarray(at, at + length)]);
      at += length;
    }
    return out;
  };
  const event: ReturnType<typeof decodeEvent> = { step: 0 };
  for (const [field, , value] of fields(data)) {
    if (field === 2) event.step = value as number;
    if (field === 3) event.fileVersion = (value as Buffer).toString();
    if (field === 5) {
      const summaryValue = fields(value as Buffer).find(([f]) => f === 1)![2] as Buffer;
      const parts = fields(summaryValue);
      const tag = (parts.find(([f]) => f === 1)![2] as Buffer).toString();
      const number = parts.find(([f]) => f === 2)![2] as Buffer;
      event.scalar = { tag, value: number.readFloatLE(0) };
    }
  }
  return event;
}

/** The pids in a process group, from `ps`. */
async function groupMembers(pgid: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)('ps', ['-A', '-o', 'pid=,pgid=']);
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, group]) => group === pgid)
    .map(([pid]) => pid!);
}

/** Every redraw of the `steps` bar: the text from a `\r` (or line start) to the closing `]`; a Rich log line may follow it on the same line. */
const barPattern = /^steps:\s+(\d+)%\|[^|]*\|\s*(\d+)\/(\d+) \[([\d:]+|\?)<([\d:]+|\?),\s*(\?|[\d.]+)(it\/s|s\/it)(?:, ([^\]]*))?\]/;

function barSegments(stderr: string): { n: number; total: number; postfix: string | undefined; text: string }[] {
  return stderr
    .split(/\r|\n/)
    .filter((segment) => segment.startsWith('steps:'))
    .map((segment) => {
      const m = barPattern.exec(segment);
      assert.ok(m, `a bar redraw: ${segment}`);
      return { n: Number(m[2]), total: Number(m[3]), postfix: m[8], text: m[0] };
    });
}

// ------------------------------------------------------------------ tests

describe('sd-scripts double', () => {
  let sd: FakeSdScripts;
  let work: { dir: string; cleanup: () => Promise<void> };
  let images: string;
  let datasetToml: string;
  let prompts: string;

  before(async () => {
    sd = await prepareFakeSdScripts({ behaviour: { step_ms: 120 } });
    work = await tempFolder('fake-sd-run-');
    images = path.join(work.dir, 'dataset', '10_spyke');
    await writeCaptionedImages(images, 4, { caption: (i) => (i === 4 ? null : `spyke, solo, pose ${i}`) });
    datasetToml = path.join(work.dir, 'dataset.toml');
    await writeFile(
      datasetToml,
      [
        '[general]',
        'caption_extension = ".txt"',
        'shuffle_caption = true',
        'keep_tokens = 1',
        '',
        '[[datasets]]',
        'resolution = 512',
        'batch_size = 2',
        '',
        '  [[datasets.subsets]]',
        `  image_dir = ${JSON.stringify(images)}`,
        '  class_tokens = "spyke"',
        '  num_repeats = 1',
        '',
      ].join('\n'),
    );
    prompts = path.join(work.dir, 'prompts.txt');
    await writeFile(prompts, 'spyke, on a beach --n lowres --d 42\n# a comment\nspyke, portrait --w 256 --h 320\n');
  });

  after(async () => {
    await sd?.cleanup();
    await work?.cleanup();
  });

  const common = (out: string, ...extra: string[]): string[] => [
    '--pretrained_model_name_or_path', sd.baseModel,
    '--dataset_config', datasetToml,
    '--output_dir', out,
    '--network_module', 'networks.lora',
    '--network_dim', '8',
    '--network_alpha', '4',
    '--learning_rate', '1e-4',
    '--seed', '42',
    ...extra,
  ];

  it('trains through python3 train_network.py: bar on stderr, banner and saves on stdout, files, metadata, events, samples', async () => {
    const out = path.join(work.dir, 'run-python');
    const logs = path.join(work.dir, 'logs');
    const run = start(
      sd.python,
      ['train_network.py', ...common(out, '--output_name', 'spyke', '--max_train_steps', '6', '--save_every_n_steps', '2',
        '--logging_dir', logs, '--log_prefix', 'spyke_', '--sample_prompts', prompts, '--sample_every_n_steps', '3')],
      sd.folder,
    );
    const result = await run.finished;
    assert.equal(result.code, 0, result.stderr);

    // stdout: the device line, the banner, the epochs and the saves, in order.
    assert.match(result.stdout, /^accelerator device: cuda$/m);
    assert.match(result.stdout, /^running training \/ 学習開始$/m);
    assert.match(result.stdout, /^ {2}num train images \* repeats \/ 学習画像の数×繰り返し回数: 4$/m);
    assert.match(result.stdout, /^ {2}num batches per epoch \/ 1epochのバッチ数: 2$/m);
    assert.match(result.stdout, /^ {2}num epochs \/ epoch数: 3$/m);
    assert.match(result.stdout, /^ {2}gradient accumulation steps \/ 勾配を合計するステップ数 = 1$/m);
    assert.match(result.stdout, /^ {2}total optimization steps \/ 学習ステップ数: 6$/m);
    assert.deepEqual(result.stdout.match(/^epoch \d\/3$/gm), ['epoch 1/3', 'epoch 2/3', 'epoch 3/3']);
    const saves = [...result.stdout.matchAll(/^saving checkpoint: (.+)$/gm)].map((m) => m[1]);
    const names = ['spyke-step00000002.safetensors', 'spyke-step00000004.safetensors', 'spyke-step00000006.safetensors', 'spyke.safetensors'];
    assert.deepEqual(saves, names.map((name) => path.join(out, name)));

    // stderr: tqdm's `steps` bar, `\r` redraws without newlines, two redraws per step (update, then the new avr_loss).
    const segments = barSegments(result.stderr);
    assert.equal(segments[0]!.text, 'steps:   0%|          | 0/6 [00:00<?, ?it/s]');
    assert.ok(result.stderr.includes('\rsteps:   0%|          | 0/6 [00:00<?, ?it/s]'));
    for (let step = 1; step <= 6; step++) {
      const forStep = segments.filter((s) => s.n === step);
      assert.ok(forStep.length >= 2, `step ${step} is drawn by update() and by set_postfix(): ${forStep.map((s) => s.text).join(' | ')}`);
      assert.match(forStep.at(-1)!.postfix ?? '', /^avr_loss=[\d.e-]+$/);
    }
    // A bar redraw ends without a newline; only tqdm's close() at the very end adds one.
    const closed = result.stderr.match(/\rsteps:[^\r\n]*\] *\n/g) ?? [];
    assert.equal(closed.length, 1, closed.join(''));
    assert.ok(result.stderr.lastIndexOf(closed[0]!) > result.stderr.indexOf('model saved.'));
    assert.match(result.stderr, /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d| {19}) INFO {5}Loading dataset config from/m);
    assert.match(result.stderr, /INFO {5}model saved\. +train_network\.py:\d+\n/);
    assert.match(result.stderr, /WARNING {2}No caption file found for 1\b/);
    assert.ok(result.stderr.split('\n').every((line) => line.replace(/^.*\r/, '').length <= 80 || line.includes('steps:') || line.includes('|')), 'Rich wraps at 80 columns');

    // Checkpoints and their metadata (every value a string; ss_epoch is 0-based for step saves).
    assert.deepEqual((await readdir(out)).filter((f) => f.endsWith('.safetensors')).sort(), [...names].sort());
    const step4 = await safetensorsMetadata(path.join(out, 'spyke-step00000004.safetensors'));
    assert.ok(Object.values(step4).every((v) => typeof v === 'string'));
    assert.equal(step4['ss_steps'], '4');
    assert.equal(step4['ss_epoch'], '1');
    assert.equal(step4['ss_output_name'], 'spyke');
    assert.equal(step4['ss_network_dim'], '8');
    assert.equal(step4['ss_network_alpha'], '4.0');
    assert.equal(step4['ss_num_train_images'], '4');
    assert.equal(step4['ss_base_model_version'], 'sd_v1');
    assert.equal(step4['ss_seed'], '42');
    assert.equal(step4['ss_sd_model_name'], 'v1-5-pruned-emaonly.safetensors');
    assert.equal(step4['modelspec.architecture'], 'stable-diffusion-v1/lora');
    assert.ok(Number(step4['ss_training_finished_at']) >= Number(step4['ss_training_started_at']));
    const datasets = JSON.parse(step4['ss_datasets']!) as { subsets: { image_dir: string; img_count: number }[] }[];
    assert.deepEqual(datasets[0]!.subsets.map((s) => [s.image_dir, s.img_count]), [['10_spyke', 4]]);
    assert.deepEqual(JSON.parse(step4['ss_tag_frequency']!), { '10_spyke': { spyke: 4, solo: 3, 'pose 1': 1, 'pose 2': 1, 'pose 3': 1 } });
    assert.equal(step4['ss_resolution'], undefined, 'dataset-config runs have no top-level ss_resolution');
    const last = await safetensorsMetadata(path.join(out, 'spyke.safetensors'));
    assert.deepEqual([last['ss_steps'], last['ss_epoch']], ['6', '3']);

    // TensorBoard: <logging_dir>/<prefix><YYYYmmddHHMMSS>/network_train/events.out.tfevents.<unix>.<host>.<pid>.0
    const [runDir] = await readdir(logs);
    assert.match(runDir!, /^spyke_\d{14}$/);
    const [eventFile] = await readdir(path.join(logs, runDir!, 'network_train'));
    assert.match(eventFile!, new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\..+\\.${run.child.pid}\\.0$`));
    const events = tfRecords(await readFile(path.join(logs, runDir!, 'network_train', eventFile!))).map(decodeEvent);
    assert.equal(events[0]!.fileVersion, 'brain.Event:2');
    const scalars = events.filter((e) => e.scalar).map((e) => ({ step: e.step, ...e.scalar! }));
    const tags = new Set(scalars.map((s) => s.tag));
    for (const tag of ['loss/current', 'loss/average', 'lr/unet', 'lr/textencoder', 'lr/group1', 'loss/epoch_average']) assert.ok(tags.has(tag), tag);
    assert.deepEqual(scalars.filter((s) => s.tag === 'loss/current').map((s) => s.step), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(scalars.filter((s) => s.tag === 'loss/epoch_average').map((s) => s.step), [1, 2, 3]);
    assert.ok(Math.abs(scalars.find((s) => s.tag === 'lr/unet')!.value - 1e-4) < 1e-9);
    const lastAverage = scalars.filter((s) => s.tag === 'loss/average').at(-1)!.value;
    const barAverage = Number(segments.at(-1)!.postfix!.replace('avr_loss=', ''));
    assert.ok(Math.abs(barAverage - lastAverage) <= lastAverage * 0.01, `the bar's avr_loss ${barAverage} is TensorBoard's loss/average ${lastAverage}`);

    // Sample images at steps 3 and 6: [<name>_]<step %06d>_<prompt index>_<timestamp>[_<seed>].png
    const samples = (await readdir(path.join(out, 'sample'))).sort();
    assert.equal(samples.length, 4);
    assert.match(samples[0]!, /^spyke_000003_00_\d{14}_42\.png$/);
    assert.match(samples[1]!, /^spyke_000003_01_\d{14}\.png$/);
    assert.match(samples[2]!, /^spyke_000006_00_\d{14}_42\.png$/);
    const png = await readFile(path.join(out, 'sample', samples[1]!));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [256, 320]);
    assert.equal(result.stderr.match(/INFO {5}generating sample images at step/g)?.length, 2);
  });

  it('runs as a child of the accelerate launcher, with plain log lines on stdout under --console_log_simple', async () => {
    const out = path.join(work.dir, 'run-accelerate');
    const run = start(sd.accelerate, ['launch', '--num_cpu_threads_per_process', '1', 'train_network.py', ...common(out, '--max_train_steps', '2', '--console_log_simple')], sd.folder, { unbuffered: true });
    const result = await run.finished;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(
      result.stderr.startsWith(
        'The following values were not passed to `accelerate launch` and had defaults used instead:\n' +
          '\t`--num_processes` was set to a value of `1`\n\t`--num_machines` was set to a value of `1`\n' +
          "\t`--mixed_precision` was set to a value of `'no'`\n\t`--dynamo_backend` was set to a value of `'no'`\n",
      ),
      result.stderr.slice(0, 400),
    );
    assert.match(result.stdout, /^Loading dataset config from /m);
    assert.match(result.stdout, /^model saved\.$/m);
    assert.ok(!/INFO/.test(result.stderr), 'no Rich lines on stderr');
    assert.ok(existsSync(path.join(out, 'last.safetensors')), 'the final file without --output_name is last.safetensors');
  });

  it('exits 0 with "No data found" when train_data_dir is the image folder itself', async () => {
    const out = path.join(work.dir, 'run-no-data');
    const result = await start(sd.python, ['train_network.py', '--pretrained_model_name_or_path', sd.baseModel, '--train_data_dir', images, '--resolution', '512',
      '--output_dir', out, '--network_module', 'networks.lora'], sd.folder).finished;
    assert.equal(result.code, 0);
    assert.match(result.stderr, /ERROR {4}No data found\. /);
    assert.ok(!result.stderr.includes('steps:'));
    assert.ok(!existsSync(out));
  });

  it('exits 1 on a dataset config with an unknown key, with voluptuous\' message last', async () => {
    const bad = path.join(work.dir, 'bad.toml');
    await writeFile(bad, `[[datasets]]\nresolution = 512\n  [[datasets.subsets]]\n  image_dir = ${JSON.stringify(images)}\n  num_repeat = 10\n`);
    const result = await start(sd.python, ['train_network.py', ...common(path.join(work.dir, 'run-bad'), '--dataset_config', bad)], sd.folder).finished;
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ERROR {4}Invalid user config \//);
    assert.match(result.stderr, /Traceback \(most recent call last\):/);
    assert.ok(result.stderr.endsWith("voluptuous.error.MultipleInvalid: extra keys not allowed @ data['datasets'][0]['subsets'][0]['num_repeat']\n"), result.stderr.slice(-300));
  });

  it('rejects an unknown flag with argparse\'s error and exit code 2', async () => {
    const result = await start(sd.python, ['train_network.py', '--text_encoder_lr1', '1e-5'], sd.folder).finished;
    assert.equal(result.code, 2);
    assert.match(result.stderr, /train_network\.py: error: unrecognized arguments: --text_encoder_lr1 1e-5\n$/);
  });

  it('runs out of memory at the chosen step: torch\'s error, then accelerate\'s CalledProcessError, exit 1', async () => {
    await sd.setBehaviour({ step_ms: 20, oom_at_step: 3 });
    try {
      const out = path.join(work.dir, 'run-oom');
      const result = await start(sd.accelerate, ['launch', 'train_network.py', ...common(out, '--max_train_steps', '6', '--save_every_n_steps', '2')], sd.folder).finished;
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate 20\.00 MiB\. GPU 0 has a total capacity of 7\.63 GiB/m);
      const lastLine = result.stderr.trimEnd().split('\n').at(-1)!;
      assert.match(lastLine, /^subprocess\.CalledProcessError: Command '\[.*'train_network\.py'.*\]' returned non-zero exit status 1\.$/);
      assert.ok(!result.stderr.includes('model saved.'));
      assert.deepEqual(await readdir(out), ['at-step00000002.safetensors']);
    } finally {
      await sd.setBehaviour({ step_ms: 120 });
    }
  });

  it('keeps stdout back until exit without PYTHONUNBUFFERED, and sends it at once with it', async () => {
    for (const unbuffered of [false, true]) {
      const run = start(sd.python, ['train_network.py', ...common(path.join(work.dir, `run-buffer-${unbuffered}`), '--max_train_steps', '40')], sd.folder, { unbuffered, detached: true });
      try {
        await waitFor(() => barSegments(run.stderr()).some((s) => s.n === 1), 'the first step');
        if (unbuffered) assert.match(run.stdout(), /running training \/ 学習開始/);
        else assert.equal(run.stdout(), '', 'print() output waits in the block buffer');
      } finally {
        process.kill(-run.child.pid!, 'SIGKILL');
        await run.exited;
      }
    }
  });

  it('leaves its training child alive when only the launcher is killed, and none when the process group is', async () => {
    for (const killGroup of [false, true]) {
      const out = path.join(work.dir, `run-kill-${killGroup}`);
      await mkdir(out, { recursive: true });
      const run = start(sd.accelerate, ['launch', 'train_network.py', ...common(out, '--max_train_steps', '100')], sd.folder, { detached: true });
      const pgid = run.child.pid!;
      try {
        await waitFor(() => barSegments(run.stderr()).length > 0, 'the training bar');
        const members = await groupMembers(pgid);
        assert.equal(members.length, 2, `the launcher and the trainer: ${members.join(', ')}`);
        process.kill(killGroup ? -pgid : pgid, 'SIGKILL');
        const result = await run.exited;
        assert.equal(result.signal, 'SIGKILL');
        if (killGroup) {
          await waitFor(() => !isGroupAlive(pgid), 'the group to empty', 5000);
        } else {
          const left = await groupMembers(pgid);
          assert.deepEqual(left.length, 1, 'the trainer outlives its launcher');
        }
      } finally {
        if (isGroupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
      }
    }
  });
});

function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
