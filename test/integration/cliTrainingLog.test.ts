// `studionova training parse-log` from a terminal, on transcripts saved as a terminal would show
// them with `2>&1`: bars redrawn with `\r`, prints and Rich log records between them.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/runCli';
import { withTempFolder } from '../support/tempStudio';

const bar = (step: number, rest: string): string => `\rsteps: ${String(Math.floor((step / 400) * 100)).padStart(3)}%|          | ${step}/400 [${rest}]`;

const start = [
  '2026-03-01 10:00:01 INFO     Loading settings from /runs/sksdog/args.toml...  train_util.py:4321',
  'prepare images.',
  '\rread caption: 100%|██████████| 20/20 [00:00<00:00, 2817.35it/s]',
  'running training / 学習開始',
  '  num train images * repeats / 学習画像の数×繰り返し回数: 200',
  '  num batches per epoch / 1epochのバッチ数: 100',
  '  num epochs / epoch数: 4',
  '  total optimization steps / 学習ステップ数: 400',
  `${bar(0, '00:00<?, ?it/s')}`,
  'epoch 1/4',
  `${bar(1, '00:02<14:58,  2.25s/it')}${bar(1, '00:02<14:58,  2.25s/it, avr_loss=0.131')}${bar(2, '00:02<08:01,  1.21s/it, avr_loss=nan')}`,
].join('\n');

const finished = `${start}
${bar(400, '04:17<00:00,  1.55it/s, avr_loss=0.0962')}
saving checkpoint: /runs/sksdog/out/sksdog.safetensors
2026-03-01 10:04:20 INFO     model saved.                                     train_network.py:1234
`;

const outOfMemory = `${start}
Traceback (most recent call last):
  File "/sd-scripts/train_network.py", line 1536, in <module>
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB.
Traceback (most recent call last):
subprocess.CalledProcessError: Command '['python', 'train_network.py']' returned non-zero exit status 1.
`;

async function parseLog(dir: string, name: string, text: string, ...flags: string[]): Promise<{ code: number; lines: Record<string, unknown>[]; stderr: string }> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  const { code, stdout, stderr } = await runCli('training', 'parse-log', file, ...flags);
  return { code, stderr, lines: stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('studionova training parse-log', () => {
  it('prints one JSON line per bar update and exits 0 on a finished run', async () => {
    await withTempFolder(async (dir) => {
      const { code, lines, stderr } = await parseLog(dir, 'finished.log', finished);
      assert.equal(code, 0, stderr);
      assert.deepEqual(lines, [
        { step: 0, total: 400, averageLoss: null, itPerSec: null, elapsedSec: 0, remainingSec: null },
        { step: 1, total: 400, averageLoss: null, itPerSec: 1 / 2.25, elapsedSec: 2, remainingSec: 898 },
        { step: 1, total: 400, averageLoss: 0.131, itPerSec: 1 / 2.25, elapsedSec: 2, remainingSec: 898 },
        { step: 2, total: 400, averageLoss: 'NaN', itPerSec: 1 / 1.21, elapsedSec: 2, remainingSec: 481 },
        { step: 400, total: 400, averageLoss: 0.0962, itPerSec: 1.55, elapsedSec: 257, remainingSec: 0 },
      ]);
    });
  });

  it('prints every event with its kind with --all', async () => {
    await withTempFolder(async (dir) => {
      const { code, lines } = await parseLog(dir, 'finished.log', finished, '--all');
      assert.equal(code, 0);
      assert.deepEqual(
        lines.map((line) => line['kind']),
        ['banner', 'banner', 'banner', 'banner', 'progress', 'epoch', 'progress', 'progress', 'progress', 'progress', 'checkpoint', 'model-saved'],
      );
      assert.deepEqual(lines[3], { kind: 'banner', field: 'totalSteps', value: 400 });
      assert.deepEqual(lines[10], { kind: 'checkpoint', path: '/runs/sksdog/out/sksdog.safetensors' });
    });
  });

  it('ends with the failure and exits 1 when the log ends in an error', async () => {
    await withTempFolder(async (dir) => {
      const { code, lines } = await parseLog(dir, 'oom.log', outOfMemory);
      assert.equal(code, 1);
      assert.deepEqual(lines.at(-1), {
        failure: { cause: 'out-of-memory', message: 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB.' },
      });
      assert.equal(lines.length, 5);

      const all = await parseLog(dir, 'oom.log', outOfMemory, '--all');
      assert.equal(all.code, 1);
      assert.deepEqual(all.lines.at(-2), { kind: 'error', cause: 'out-of-memory', message: 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB.' });
    });
  });

  it('exits 0 on a run still going, 1 on a missing file and 2 without a file', async () => {
    await withTempFolder(async (dir) => {
      assert.equal((await parseLog(dir, 'running.log', start)).code, 0);
      const missing = await runCli('training', 'parse-log', path.join(dir, 'nope.log'));
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /nope\.log is not a log file/);
      const usage = await runCli('training');
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /training parse-log <file>/);
    });
  });
});
