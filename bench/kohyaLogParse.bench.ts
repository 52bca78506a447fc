// Reading a long sd-scripts transcript, as `studionova training parse-log` does and as the runner
// does live: splitTrainerText, then KohyaLogParser.push on every line. The transcript (about
// 20 MB, built in memory) is what `accelerate launch train_network.py … 2>&1` leaves: the banner,
// two bar redraws per step, an epoch's prints, Rich records and a sampling block with its own bar
// every 500 steps.
//
//   BENCH kohya_log_parse_mb_s              ours, UTF-8 megabytes (10^6 bytes) per second, median
//                                           of paired runs. Goal ≥ 50.
//   BENCH kohya_log_split_baseline_mb_s     the floor: text.split(/\r|\n/) alone, in the same pairs
//   BENCH kohya_log_parse_vs_split_ratio    ours ÷ the baseline, rate over rate, per pair
//   BENCH kohya_log_parse_cpu_mb_s          ours per second of CPU time (all threads, GC included):
//                                           steadier than the wall-clock figure on a busy machine
import { KohyaLogParser, splitTrainerText } from '../src/core/training/kohyaLog';
import { median, reportAtLeast } from './support/measure';

const targetBytes = 20_000_000;
const stepsPerEpoch = 500;
const pairs = 7;

const blocks = ' ▏▎▍▌▋▊▉█';

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function bar(desc: string, n: number, total: number, elapsed: number, postfix: string): string {
  const fraction = n / total;
  const eighths = Math.floor(fraction * 80);
  const full = Math.floor(eighths / 8);
  const body = '█'.repeat(full) + (full < 10 ? blocks[eighths % 8]! + ' '.repeat(9 - full) : '');
  const rate = n === 0 ? '?it/s' : n / elapsed >= 1 ? `${(n / elapsed).toFixed(2).padStart(5)}it/s` : `${(elapsed / n).toFixed(2)}s/it`;
  const remaining = n === 0 ? '?' : clock(((total - n) * elapsed) / n);
  return `\r${desc}${String(Math.floor(fraction * 100)).padStart(3)}%|${body}| ${n}/${total} [${clock(elapsed)}<${remaining}, ${rate}${postfix}]`;
}

const rich = (level: string, message: string, source: string, time = ''): string => `${time.padEnd(19)} ${level.padEnd(8)} ${message.padEnd(40)} ${source}\n`;

/** The transcript, and how many `steps` bar redraws it holds. */
function transcript(): { text: string; bars: number } {
  // The total is chosen so the bar reaches about 20 MB; each step adds two redraws of ~90 bytes.
  const total = Math.round(targetBytes / 190);
  const epochs = Math.ceil(total / stepsPerEpoch);
  const parts: string[] = [
    'The following values were not passed to `accelerate launch` and had defaults used instead:\n',
    '\t`--num_processes` was set to a value of `1`\n',
    rich('INFO', 'Loading settings from /runs/sksdog/args.toml...', 'train_util.py:4321', '2026-03-01 10:00:01'),
    'Using v1 tokenizer\nUsing DreamBooth method.\nprepare images.\nfound directory /data/sksdog/img/10_sks dog contains 20 image files\n',
    bar('read caption: ', 20, 20, 0.01, ''),
    '\n200 train images with repeats.\n0 reg images with repeats.\n',
    `override steps. steps for ${epochs} epochs is / 指定エポックまでのステップ数: ${total}\nrunning training / 学習開始\n`,
    '  num train images * repeats / 学習画像の数×繰り返し回数: 1000\n  num reg images / 正則化画像の数: 0\n',
    `  num batches per epoch / 1epochのバッチ数: ${stepsPerEpoch}\n  num epochs / epoch数: ${epochs}\n  total optimization steps / 学習ステップ数: ${total}\n`,
  ];
  let bytes = parts.reduce((sum, part) => sum + Buffer.byteLength(part), 0);
  const add = (part: string): void => {
    parts.push(part);
    bytes += Buffer.byteLength(part);
  };
  let bars = 0;
  let loss = 0.13;
  add(bar('steps: ', 0, total, 0, ''));
  bars++;
  for (let n = 1; n <= total && bytes < targetBytes; n++) {
    const elapsed = n * 0.64;
    const old = `, avr_loss=${loss.toPrecision(3)}`;
    loss = n % 997 === 0 ? Number.NaN : 0.09 + 0.04 * Math.abs(Math.sin(n / 50));
    add(bar('steps: ', n, total, elapsed, old) + bar('steps: ', n, total, elapsed, `, avr_loss=${Number.isNaN(loss) ? 'nan' : loss.toPrecision(3)}`));
    bars += 2;
    if (n % stepsPerEpoch === 0) {
      const epoch = n / stepsPerEpoch;
      add(`\n\nsaving checkpoint: /runs/sksdog/out/sksdog-${String(epoch).padStart(6, '0')}.safetensors\n\n`);
      add(rich('INFO', 'generating sample images at step / サンプル画像生成 ステップ: ' + n, 'train_util.py:5861', '2026-03-01 10:01:05'));
      for (const line of ['prompt: sks dog sitting on a beach', 'negative_prompt: lowres, bad anatomy', 'height: 512', 'width: 512', 'sample_steps: 30', 'scale: 7.5', 'sample_sampler: euler_a', 'seed: 42']) {
        add(rich('INFO', line, 'train_util.py:5900'));
      }
      for (let k = 0; k <= 30; k++) add(bar('', k, 30, k * 0.1 + 0.01, ''));
      add(`\n${rich('WARNING', 'some of reg images are not used / 正則化画像の数が多いので、一部使用されない正則化画像があります', 'train_util.py:2131')}`);
      add(`${' '.repeat(29)}(continued on a second line as Rich wraps it)\n`);
      add(`\nepoch ${epoch + 1}/${epochs}\n\n`);
      add(rich('INFO', `epoch is incremented. current_epoch: ${epoch}, epoch: ${epoch + 1}`, 'train_util.py:715'));
    }
  }
  add('\n\nsaving checkpoint: /runs/sksdog/out/sksdog.safetensors\n');
  add(rich('INFO', 'model saved.', 'train_network.py:1234'));
  return { text: parts.join(''), bars };
}

function parse(text: string): number {
  const parser = new KohyaLogParser();
  let progress = 0;
  for (const line of splitTrainerText(text)) {
    for (const event of parser.push(line)) if (event.kind === 'progress') progress++;
  }
  parser.end();
  return progress;
}

function split(text: string): number {
  return text.split(/\r|\n/).length;
}

const cpuRates: number[] = [];

/** Megabytes per second of `work` on `text`; for the parser, per CPU second too. */
function rate(work: (text: string) => number, text: string, megabytes: number): number {
  const cpu = process.cpuUsage();
  const started = performance.now();
  work(text);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  if (work === parse) cpuRates.push(megabytes / ((used.user + used.system) / 1e6));
  return megabytes / seconds;
}

const built = performance.now();
const { text, bars } = transcript();
const megabytes = Buffer.byteLength(text) / 1e6;
console.log(`  transcript: ${megabytes.toFixed(1)} MB, ${bars} step bar redraws; built in ${((performance.now() - built) / 1000).toFixed(1)} s (not measured)`);

const found = parse(text);
if (found !== bars) throw new Error(`The parser found ${found} progress events, expected ${bars}: the bench would measure a broken parser.`);
split(text);

const ours: number[] = [];
const baseline: number[] = [];
const ratios: number[] = [];
for (let pair = 0; pair < pairs; pair++) {
  // Alternating order, so a burst of load elsewhere lands on both alike.
  let mine: number;
  let floor: number;
  if (pair % 2 === 0) {
    mine = rate(parse, text, megabytes);
    floor = rate(split, text, megabytes);
  } else {
    floor = rate(split, text, megabytes);
    mine = rate(parse, text, megabytes);
  }
  ours.push(mine);
  baseline.push(floor);
  ratios.push(mine / floor);
}
reportAtLeast('kohya_log_parse_mb_s', ours, 'MB/s', 50);
console.log(`BENCH kohya_log_split_baseline_mb_s ${median(baseline).toFixed(1)} MB/s`);
console.log(`BENCH kohya_log_parse_vs_split_ratio ${median(ratios).toFixed(3)} ratio`);
console.log(`BENCH kohya_log_parse_cpu_mb_s ${median(cpuRates).toFixed(1)} MB/s`);
console.log(`  ${pairs} pairs, alternating order; baseline in the same run`);
