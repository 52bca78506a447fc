import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureOf, KohyaLogParser, splitTrainerText } from '../../../../src/core/training/kohyaLog';
import type { KohyaEvent, TrainerLine } from '../../../../src/core/training/model';

type Chunk = readonly ['O' | 'E', string];

/** The trainer's output as it arrives, chunk by chunk on its stream, split as the runner splits it. */
function linesOf(chunks: readonly Chunk[]): TrainerLine[] {
  return chunks.flatMap(([stream, text]) => splitTrainerText(text, stream === 'O' ? 'stdout' : 'stderr'));
}

function parse(chunks: readonly Chunk[]): KohyaEvent[] {
  const parser = new KohyaLogParser();
  const events = linesOf(chunks).flatMap((line) => parser.push(line));
  return [...events, ...parser.end()];
}

const progress = (step: number, total: number, averageLoss: number | null, itPerSec: number | null, elapsedSec: number, remainingSec: number | null): KohyaEvent => ({
  kind: 'progress',
  step,
  total,
  averageLoss,
  itPerSec,
  elapsedSec,
  remainingSec,
});

/** Rich's layout on a pipe: time (blank when it repeats), level in 8 columns, message, source column. */
const rich = (level: string, message: string, source = 'train_network.py:412', time = '2026-03-01 10:00:05'): string =>
  `${time.padEnd(19)} ${level.padEnd(8)} ${message}  ${source}\n`;
const continuation = (message: string): string => `${' '.repeat(29)}${message}\n`;

/** The reference transcript (an SD1.5 LoRA, 20 images × 10 repeats, batch 2, 4 epochs, `--console_log_simple`). */
const transcript: Chunk[] = [
  ['E', 'The following values were not passed to `accelerate launch` and had defaults used instead:\n'],
  ['E', '\t`--num_processes` was set to a value of `1`\n'],
  ['E', rich('INFO', 'Loading settings from /runs/sksdog/args.toml...', 'train_util.py:4321', '2026-03-01 10:00:01')],
  ['O', 'Using v1 tokenizer\nUsing DreamBooth method.\nprepare images.\nfound directory /data/sksdog/img/10_sks dog contains 20 image files\n'],
  ['E', '\rread caption:   0%|          | 0/20 [00:00<?, ?it/s]\rread caption: 100%|██████████| 20/20 [00:00<00:00, 2817.35it/s]\n'],
  ['O', '200 train images with repeats.\n0 reg images with repeats.\nno regularization images / 正則化画像が見つかりませんでした\n'],
  ['O', '[Dataset 0]\n  batch_size: 2\n  resolution: (512, 512)\n[Prepare dataset 0]\nloading image sizes.\n'],
  ['E', '\r  0%|          | 0/20 [00:00<?, ?it/s]\r100%|██████████| 20/20 [00:00<00:00, 950.11it/s]\n'],
  ['O', 'prepare dataset\npreparing accelerator\naccelerator device: cuda\nloading model for process 0/1\n'],
  ['O', 'load StableDiffusion checkpoint: /models/v1-5-pruned-emaonly.safetensors\nloading u-net: <All keys matched successfully>\n'],
  ['O', 'Enable SDPA for U-Net\ncaching latents with caching strategy.\ncaching latents...\n'],
  ['E', '\r100%|██████████| 20/20 [00:03<00:00,  5.87it/s]\n'],
  ['O', 'import network module: networks.lora\ncreate LoRA network. base dim (rank): 16, alpha: 8.0\n'],
  ['O', 'prepare optimizer, data loader etc.\nuse 8-bit AdamW optimizer | {}\n'],
  ['O', 'override steps. steps for 4 epochs is / 指定エポックまでのステップ数: 400\n'],
  ['O', 'running training / 学習開始\n  num train images * repeats / 学習画像の数×繰り返し回数: 200\n'],
  ['O', '  num validation images * repeats / 学習画像の数×繰り返し回数: 0\n  num reg images / 正則化画像の数: 0\n'],
  ['O', '  num batches per epoch / 1epochのバッチ数: 100\n  num epochs / epoch数: 4\n  batch size per device / バッチサイズ: 2\n'],
  ['O', '  gradient accumulation steps / 勾配を合計するステップ数 = 1\n  total optimization steps / 学習ステップ数: 400\n'],
  ['O', 'unet dtype: torch.float16, device: cuda:0\ntext_encoder [0] dtype: torch.float16, device: cuda:0\n'],
  ['E', '\rsteps:   0%|          | 0/400 [00:00<?, ?it/s]'],
  ['O', '\nepoch 1/4\n\nepoch is incremented. current_epoch: 0, epoch: 1\n'],
  ['E', '\rsteps:   0%|          | 1/400 [00:02<14:58,  2.25s/it]\rsteps:   0%|          | 1/400 [00:02<14:58,  2.25s/it, avr_loss=0.131]'],
  ['E', '\rsteps:   0%|          | 2/400 [00:02<08:01,  1.21s/it, avr_loss=0.131]\rsteps:   0%|          | 2/400 [00:02<08:01,  1.21s/it, avr_loss=0.117]'],
  ['E', '\rsteps:  25%|██▌       | 100/400 [01:04<03:12,  1.56it/s, avr_loss=0.109]'],
  ['O', '\nsaving checkpoint: /runs/sksdog/out/sksdog-000001.safetensors\n\n'],
  ['O', 'generating sample images at step / サンプル画像生成 ステップ: 100\nprompt: sks dog sitting on a beach\nnegative_prompt: None\n'],
  ['E', '\r  0%|          | 0/30 [00:00<?, ?it/s]\r100%|██████████| 30/30 [00:03<00:00,  9.42it/s]\n'],
  ['O', '\nepoch 2/4\n'],
  ['E', '\rsteps: 100%|██████████| 400/400 [04:17<00:00,  1.55it/s, avr_loss=0.0962]'],
  ['O', '\nsaving checkpoint: /runs/sksdog/out/sksdog.safetensors\nmodel saved.\n'],
];

describe('KohyaLogParser', () => {
  it('reads the reference transcript: banner, bars, epochs, checkpoints, sampling and the end', () => {
    assert.deepEqual(parse(transcript), [
      { kind: 'banner', field: 'totalSteps', value: 400 },
      { kind: 'banner', field: 'trainImages', value: 200 },
      { kind: 'banner', field: 'regImages', value: 0 },
      { kind: 'banner', field: 'batchesPerEpoch', value: 100 },
      { kind: 'banner', field: 'epochs', value: 4 },
      { kind: 'banner', field: 'totalSteps', value: 400 },
      progress(0, 400, null, null, 0, null),
      { kind: 'epoch', epoch: 1, epochs: 4 },
      progress(1, 400, null, 1 / 2.25, 2, 898),
      progress(1, 400, 0.131, 1 / 2.25, 2, 898),
      progress(2, 400, 0.131, 1 / 1.21, 2, 481),
      progress(2, 400, 0.117, 1 / 1.21, 2, 481),
      progress(100, 400, 0.109, 1.56, 64, 192),
      { kind: 'checkpoint', path: '/runs/sksdog/out/sksdog-000001.safetensors' },
      { kind: 'sampling', step: 100 },
      { kind: 'epoch', epoch: 2, epochs: 4 },
      progress(400, 400, 0.0962, 1.55, 257, 0),
      { kind: 'checkpoint', path: '/runs/sksdog/out/sksdog.safetensors' },
      { kind: 'model-saved' },
    ]);
  });

  it('reads hours, slow rates, scientific and nan losses, keys with spaces, the old loss key and an ASCII bar', () => {
    const events = parse([
      ['E', '\rsteps:  10%|█         | 1000/10000 [1:02:03<9:18:27,  3.72s/it, Keys Scaled=0, Average key norm=0.0132, avr_loss=1.2e-05]   '],
      ['E', '\rsteps:  10%|█         | 1001/10000 [1:02:07<9:18:20,  3.72s/it, avr_loss=nan]'],
      ['E', '\rsteps:  20%|##        | 80/400 [00:40<02:40,  2.00it/s, loss=0.2]'],
      ['E', '\rsteps: 100%|██████████| 400/400 [04:17<00:00, 12.50it/s, avr_loss=inf]\n'],
    ]);
    assert.deepEqual(events[0], progress(1000, 10000, 1.2e-5, 1 / 3.72, 3723, 33507));
    assert.equal(events[1]?.kind, 'progress');
    assert.ok(events[1]?.kind === 'progress' && Number.isNaN(events[1].averageLoss));
    assert.deepEqual(events[2], progress(80, 400, 0.2, 2, 40, 160));
    assert.deepEqual(events[3], progress(400, 400, Number.POSITIVE_INFINITY, 12.5, 257, 0));
    assert.equal(events.length, 4);
  });

  it('does not take the other bars for training progress', () => {
    const events = parse([
      ['E', '\rread caption: 100%|██████████| 20/20 [00:00<00:00, 2817.35it/s]\n'],
      ['E', '\r 50%|█████     | 10/20 [00:01<00:01,  9.42it/s]\n'],
      ['E', '\rvalidation steps:  50%|█████     | 2/4 [00:01<00:01,  1.90it/s, val_avg_loss=0.12, timestep=500]\n'],
      ['E', '\repoch validation steps: 100%|██████████| 4/4 [00:02<00:00,  1.95it/s, val_epoch_avg_loss=0.118]\n'],
      ['E', '\rsteps: 12 done\n'],
      ['E', '\rsteps:  50%|█████     | 200/400 [02:08<02:08,  1.56it/s, avr_loss=0.101]\n'],
    ]);
    assert.deepEqual(events, [progress(200, 400, 0.101, 1.56, 128, 128)]);
  });

  it('reads text glued after a bar as a new line, Rich records and prints alike', () => {
    const events = parse([
      ['E', `\rsteps:  50%|█████     | 200/400 [02:08<02:08,  1.56it/s, avr_loss=0.101]${rich('INFO', 'generating sample images at step /', 'train_util.py:5861')}`],
      ['E', continuation('サンプル画像生成 ステップ: 200')],
      ['E', '\r100%|██████████| 30/30 [00:03<00:00,  9.42it/s]epoch 3/4\n'],
      ['E', '\rsteps:  75%|███████▌  | 300/400 [03:12<01:04,  1.56it/s, avr_loss=0.1]steps:  75%|███████▌  | 301/400 [03:13<01:03,  1.56it/s, avr_loss=0.1]model saved.\n'],
    ]);
    assert.deepEqual(events, [
      progress(200, 400, 0.101, 1.56, 128, 128),
      { kind: 'sampling', step: 200 },
      { kind: 'epoch', epoch: 3, epochs: 4 },
      progress(300, 400, 0.1, 1.56, 192, 64),
      progress(301, 400, 0.1, 1.56, 193, 63),
      { kind: 'model-saved' },
    ]);
  });

  it('strips the Rich columns, including a blank time column, and reads Rich records like prints', () => {
    const events = parse([
      ['E', rich('INFO', 'model saved.', 'train_network.py:1234', '')],
      ['E', rich('WARNING', 'epoch 9/9 is not an epoch line here… but this is:', 'x.py:1')],
      ['E', rich('INFO', 'epoch 3/4', 'train_network.py:1100')],
    ]);
    assert.deepEqual(events, [{ kind: 'model-saved' }, { kind: 'epoch', epoch: 3, epochs: 4 }]);
  });

  it('reports a wrapped Rich error once its last line is known, with the lines joined and its cause', () => {
    const parser = new KohyaLogParser();
    const push = (stream: 'stdout' | 'stderr', text: string): KohyaEvent[] => splitTrainerText(text, stream).flatMap((line) => parser.push(line));
    assert.deepEqual(push('stderr', rich('ERROR', 'No data found. Please verify arguments (train_data_dir must')), []);
    assert.deepEqual(push('stderr', continuation('be the parent of folders with images) / 画像がありません。')), []);
    // The other stream does not end a Rich record.
    assert.deepEqual(push('stdout', 'prepare dataset\n'), []);
    const message = 'No data found. Please verify arguments (train_data_dir must be the parent of folders with images) / 画像がありません。';
    assert.deepEqual(push('stderr', 'something else\n'), [{ kind: 'error', cause: 'no-images', message }]);

    const atEnd = new KohyaLogParser();
    for (const line of splitTrainerText(rich('ERROR', 'model is not found as a file or in'))) atEnd.push(line);
    for (const line of splitTrainerText(continuation('Hugging Face, perhaps file name is wrong? / …: /models/sd15.safetensors'))) atEnd.push(line);
    assert.deepEqual(atEnd.failure(), {
      cause: 'missing-base-model',
      message: 'model is not found as a file or in Hugging Face, perhaps file name is wrong? / …: /models/sd15.safetensors',
    });
    assert.deepEqual(atEnd.end(), [{ kind: 'error', cause: 'missing-base-model', message: atEnd.failure()?.message }]);
  });
});

/** A CUDA OOM under `accelerate launch`: the trainer's traceback, then accelerate's own. */
const oomTail: Chunk[] = [
  ['E', '\rsteps:   1%|          | 3/400 [00:07<16:12,  2.45s/it, avr_loss=0.128]'],
  ['E', 'Traceback (most recent call last):\n  File "/sd-scripts/train_network.py", line 1536, in <module>\n    trainer.train(args)\n'],
  ['E', '  File "/venv/lib/python3.10/site-packages/torch/autograd/__init__.py", line 266, in backward\n'],
  ['E', '    Variable._execution_engine.run_backward(  # Calls into the C++ engine to run the backward pass\n'],
  ['E', '    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n'],
  [
    'E',
    'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 7.79 GiB of which 9.31 MiB is free.\n',
  ],
  ['E', '\rsteps:   1%|          | 3/400 [00:08<16:20,  2.47s/it, avr_loss=0.128]\n'],
  ['E', 'Traceback (most recent call last):\n  File "/venv/bin/accelerate", line 8, in <module>\n    sys.exit(main())\n'],
  ['E', '  File "/venv/lib/python3.10/site-packages/accelerate/commands/launch.py", line 763, in simple_launcher\n'],
  ['E', '    raise subprocess.CalledProcessError(returncode=process.returncode, cmd=cmd)\n'],
  ['E', "subprocess.CalledProcessError: Command '['/venv/bin/python', 'train_network.py', '--config_file', 'args.toml']' returned non-zero exit status 1.\n"],
];

describe('failureOf', () => {
  const failure = (chunks: readonly Chunk[]): ReturnType<typeof failureOf> => failureOf(linesOf(chunks));

  it("names a CUDA OOM under accelerate, not accelerate's CalledProcessError after it, which is not reported either", () => {
    assert.deepEqual(failure(oomTail), {
      cause: 'out-of-memory',
      message: 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 7.79 GiB of which 9.31 MiB is free.',
    });
    const errors = parse(oomTail).filter((event) => event.kind === 'error');
    assert.equal(errors.length, 1);
  });

  it('names each cause from the way sd-scripts and torch word it', () => {
    const cases: [Chunk[], string | null][] = [
      [[['E', 'RuntimeError: MPS backend out of memory (MPS allocated: 17.01 GB, other allocations: 1.02 GB). Tried to allocate 256.00 MB on private pool.\n']], 'out-of-memory'],
      [[['O', 'No data found. Please verify arguments (train_data_dir must be the parent of folders with images) / 画像がありません。\n']], 'no-images'],
      [[['E', rich('ERROR', 'No data found. Please verify arguments')]], 'no-images'],
      [[['E', "huggingface_hub.errors.HFValidationError: Repo id must be in the form 'repo_name' or 'namespace/repo_name': '/models/missing.safetensors'.\n"]], 'missing-base-model'],
      [[['E', 'ValueError: The provided pretrained_model_name_or_path "/models/missing.safetensors" is neither a valid local path nor a valid repo id. Please check the parameter.\n']], 'missing-base-model'],
      [[['O', 'model is not found as a file or in Hugging Face, perhaps file name is wrong? / 指定したモデル名のファイル…: /m.safetensors\n'], ['E', 'OSError: /m.safetensors does not appear to have a file\n']], 'missing-base-model'],
      [[['E', rich('ERROR', 'Invalid user config / ユーザ設定の形式が正しくないようです', 'config_util.py:390')], ['E', "voluptuous.error.MultipleInvalid: extra keys not allowed @ data['datasets'][0]['bogus']\n"]], 'bad-config'],
      [[['E', 'ValueError: file not found / ファイルが見つかりません: /runs/sksdog/dataset.toml\n']], 'bad-config'],
      [[['E', rich('INFO', '/runs/sksdog/args.toml not found.', 'train_util.py:4310')]], 'bad-config'],
      [[['E', 'ImportError: No bitsandbytes / bitsandbytesがインストールされていないようです\n']], 'missing-package'],
      [[['E', "ModuleNotFoundError: No module named 'lion_pytorch'\n"]], 'missing-package'],
      [[['E', 'ValueError: constant does not require `num_warmup_steps`. Set None or 0.\n']], null],
      [[['E', rich('CRITICAL', 'something broke')]], null],
    ];
    for (const [chunks, cause] of cases) {
      const found = failure(chunks);
      assert.ok(found, `an error in ${JSON.stringify(chunks)}`);
      assert.equal(found.cause, cause, found.message);
    }
  });

  it('prefers the last error with a cause, then the last that is not the wrapper, then the wrapper', () => {
    const wrapper = "subprocess.CalledProcessError: Command '['python']' returned non-zero exit status 1.";
    assert.deepEqual(failure([['E', `ValueError: constant does not require \`num_warmup_steps\`. Set None or 0.\n${wrapper}\n`]]), {
      cause: null,
      message: 'ValueError: constant does not require `num_warmup_steps`. Set None or 0.',
    });
    assert.deepEqual(failure([['E', `${wrapper}\n`]]), { cause: null, message: wrapper });
    assert.deepEqual(parse([['E', `${wrapper}\n`]]), [{ kind: 'error', cause: null, message: wrapper }]);
  });

  it('counts only errors in the last 40 lines of their stream, and finds none in a clean run', () => {
    const early: Chunk[] = [
      ['E', "UnicodeEncodeError: 'charmap' codec can't encode characters in position 0-3\n"],
      ['E', Array.from({ length: 40 }, (_, i) => `caching latents ${i}\n`).join('')],
    ];
    assert.equal(failure(early), null);
    assert.equal(failure(early.slice(0, 1))?.message, "UnicodeEncodeError: 'charmap' codec can't encode characters in position 0-3");
    // Forty stdout lines do not push a stderr error out of its window.
    assert.equal(failure([oomTail[5]!, ['O', Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join('')]])?.cause, 'out-of-memory');
    assert.equal(failure(transcript), null);
  });

  it('does not take traceback frames, warnings or log text for errors', () => {
    const events = parse([
      ['E', '  File "/sd-scripts/library/train_util.py", line 12, in f\n    raise ValueError("No data found")\n'],
      ['E', '/venv/lib/python3.10/site-packages/torch/utils/checkpoint.py:61: UserWarning: None of the inputs have requires_grad=True.\n'],
      ['O', 'Errors: none so far\nNaN found in latents, replacing with zeros\n'],
    ]);
    assert.deepEqual(events, []);
  });
});

describe('splitTrainerText', () => {
  it('splits on \\n, \\r\\n and a lone \\r (a redraw), keeps blank lines and drops empty redraws', () => {
    assert.deepEqual(splitTrainerText('a\r\nb\n\n\rbar 1\rbar 2\rtail', 'stdout'), [
      { stream: 'stdout', line: 'a', progress: false },
      { stream: 'stdout', line: 'b', progress: false },
      { stream: 'stdout', line: '', progress: false },
      { stream: 'stdout', line: 'bar 1', progress: true },
      { stream: 'stdout', line: 'bar 2', progress: true },
      { stream: 'stdout', line: 'tail', progress: false },
    ]);
    assert.deepEqual(splitTrainerText(''), []);
    assert.deepEqual(splitTrainerText('x\r'), [{ stream: 'stderr', line: 'x', progress: true }]);
  });
});
