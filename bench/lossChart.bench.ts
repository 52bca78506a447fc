// The training panel's loss chart as the user sees it: the packaged extension in code-server,
// driven by Chromium (the harness's 1400×900 window), on a copy of the sample studio with one
// finished training run of 100,000 steps added (training/<run>/run.json, a loss.tsv of 100,000
// noisy, decaying per-step losses with their moving average, as a run with TensorBoard leaves
// them, and ten checkpoints).
//
//   BENCH loss_chart_100k_redraw_ms   One redraw of the chart after the user moves the smoothing
//                                     slider (an arrow key on the focused slider, as a user does,
//                                     alternately right and left). What is timed is the webview's
//                                     own `loss-chart-draw` measure (webview/training/lossChart.ts):
//                                     it starts when the slider's `input` handler asks the chart for
//                                     a redraw, so it covers the rest of that handler and Lit's
//                                     update of the page, the wait for the next animation frame,
//                                     smoothing all 100,000 points again, picking the points to
//                                     draw, uPlot's setData and its draw of the axes, the lines and
//                                     the checkpoint marks; it ends in uPlot's `draw` hook. It does
//                                     not cover the key reaching the page nor the browser's paint
//                                     of the canvas afterwards. Median of 20 redraws; the p90 is
//                                     printed below it. Goal ≤ 50 ms.
//
// The opening of the run (from the Enter in the quick pick of runs to the chart showing 100,000
// points) is printed as a plain line. report() prints the target as `< 50`; the goal is `≤ 50`,
// a difference of one unit that does not matter here.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Frame, Page } from 'playwright-core';
import type { CheckpointRecord, LossPoint, RunRecord } from '../src/core/training/model';
import { appendLoss, newRunId, newRunRecord, runPaths, writeRun } from '../src/core/training/runFolder';
import { defaultPresetId, defaultTrainingConfig } from '../src/core/training/trainingConfig';
import { screenshot, type Session, until } from '../test/e2e/harness';
import { runInCodeServer } from './support/codeServerBench';
import { percentile, report } from './support/measure';
import type { PageElement, PageGlobals } from './support/pageTypes';
import { framePollIntervalMs, pickFromQuickPick, pollPanelFrame, startFromPalette } from './support/webviewPanels';

const name = 'loss_chart_100k_redraw_ms';

const steps = 100_000;
const checkpointEvery = 10_000;
const outputName = 'spyke_plasma_v1';
/** The run's time, fixed so its id is the same on every machine. */
const runCreated = new Date(2026, 0, 15, 9, 30, 0);
const runId = newRunId(outputName, runCreated);
/** What the chart's accessible description says once it holds every point. */
const pointsShown = `${steps.toLocaleString('en-US')} points`;

/** The webview's measure of one redraw (`drawMeasure` in webview/training/lossChart.ts). */
const drawMeasure = 'loss-chart-draw';
const redraws = 20;
/** After each key: the redraw, and the view state the panel saves 100 ms after a change, are over. */
const settleMs = 300;
const drawTimeoutMs = 10_000;
/** The first opening reads and sends 100,000 points in the page's bootstrap. */
const openTimeoutMs = 60_000;

const openRunTitle = 'StudioNOVA: Open Training Run';

runInCodeServer({
  figures: [name],
  session: { name: 'bench-loss-chart', studio: 'sample', prepare: addFinishedRun },
  measure,
});

async function measure({ page }: Session, preparedMs: number): Promise<void> {
  console.log(`  wrote run ${runId}: ${pointsShown} of loss, ${steps / checkpointEvery} checkpoints in ${(preparedMs / 1000).toFixed(1)} s (not measured)`);

  const opened = await openRun(page);
  console.log(`  opening, from the Enter on the run to the chart showing ${pointsShown}: ${opened.ms.toFixed(0)} ms (not measured); its first draw measured ${opened.state.lastDrawMs.toFixed(1)} ms`);
  console.log(`  ${await describeChart(opened.frame)}`);
  console.log(`  screenshot: ${await screenshot(page, 'bench-loss-chart-open')}`);

  const frame = opened.frame;
  const slider = frame.locator('#chart-smoothing');
  const samples: number[] = [];
  for (let run = 0; run < redraws; run++) {
    const before = await readChart(frame);
    const value = await slider.inputValue();
    await slider.press(run % 2 === 0 ? 'ArrowRight' : 'ArrowLeft');
    await sleep(settleMs);
    let after = before;
    await until('the chart redrawn after the slider moved', drawTimeoutMs, async () => {
      after = await readChart(frame);
      return after.draws > before.draws;
    });
    if ((await slider.inputValue()) === value) throw new Error(`the smoothing slider did not move from ${value}`);
    // One key, one redraw: more would mean something else redraws the chart too, and the figure would mix them.
    if (after.draws !== before.draws + 1) throw new Error(`one key press gave ${after.draws - before.draws} redraws`);
    if (!after.label.includes(pointsShown)) throw new Error(`the chart no longer shows every point: "${after.label}"`);
    samples.push(after.lastDrawMs);
  }
  console.log(`  redraws: ${samples.map((ms) => ms.toFixed(1)).join(', ')} ms`);
  console.log(`  screenshot: ${await screenshot(page, 'bench-loss-chart-smoothed')}`);
  report(name, samples, 'ms', 50);
  console.log(`  p90 of ${samples.length}: ${percentile(samples, 90).toFixed(1)} ms`);
}

// ── the studio ─────────────────────────────────────────────────────────────

/** training/<run>/: a completed run of 100,000 steps, its loss.tsv and its checkpoint files. */
async function addFinishedRun(folder: string): Promise<void> {
  const config = {
    ...defaultTrainingConfig({ preset: defaultPresetId, datasetId: 'spyke', outputName, baseModel: path.join(folder, 'models', 'v1-5-pruned-emaonly.safetensors'), trigger: outputName }),
    maxTrainSteps: steps,
    saveEveryNSteps: checkpointEvery,
    tensorboard: true,
  };
  const paths = runPaths(folder, runId);
  await mkdir(paths.out, { recursive: true });
  const loss = lossCurve();
  await appendLoss(paths, loss);
  const checkpoints: CheckpointRecord[] = [];
  for (let step = checkpointEvery; step <= steps; step += checkpointEvery) {
    const final = step === steps;
    const file = `out/${outputName}${final ? '' : `-step${String(step).padStart(8, '0')}`}.safetensors`;
    // The chart needs only the record; a small file stands for the LoRA.
    const bytes = Buffer.alloc(1024, step % 251);
    await writeFile(path.join(paths.root, file), bytes);
    checkpoints.push({ file, step, final, bytes: bytes.length, loss: loss[step - 1]!.average });
  }
  const ended = new Date(runCreated.getTime() + 20 * 3600_000);
  const record: RunRecord = {
    ...newRunRecord(runId, config, runCreated),
    status: 'completed',
    command: { program: 'python3', args: ['train_network.py', '--max_train_steps', String(steps)], cwd: path.join(folder, 'sd-scripts') },
    startedAt: runCreated.toISOString(),
    endedAt: ended.toISOString(),
    step: steps,
    totalSteps: steps,
    checkpoints,
  };
  await writeRun(folder, record);
}

/** Window of the trainer's moving average (sd-scripts averages the loss over the recent steps). */
const averageWindow = 100;

/**
 * A LoRA's per-step loss: a decay from about 0.16 towards 0.08 with the heavy step-to-step noise
 * of diffusion training (the timestep is drawn at random) and a rare spike, as float32 values
 * read back from TensorBoard; seeded, so every run of the benchmark draws the same curve.
 */
function lossCurve(): LossPoint[] {
  const random = mulberry32(20260115);
  const points: LossPoint[] = [];
  let windowSum = 0;
  for (let step = 1; step <= steps; step++) {
    const trend = 0.08 + 0.08 * Math.exp(-step / 15_000);
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const spike = random() < 0.002 ? 0.2 * random() : 0;
    const loss = Math.fround(trend * Math.exp(0.45 * gaussian) + spike);
    windowSum += loss;
    if (step > averageWindow) windowSum -= points[step - 1 - averageWindow]!.loss;
    points.push({ step, loss, average: Math.fround(windowSum / Math.min(step, averageWindow)) });
  }
  return points;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ── opening the run ────────────────────────────────────────────────────────

interface Opened {
  readonly ms: number;
  readonly state: ChartState;
  /** The panel's own document (VS Code's inner `active-frame`). */
  readonly frame: Frame;
}

/** Runs Open Training Run from the palette, picks the run, and waits until its chart shows every point. */
async function openRun(page: Page): Promise<Opened> {
  const started = await startFromPalette(page, openRunTitle);
  await pickFromQuickPick(page, runId);
  let state: ChartState | null = null;
  const { frame, ms } = await pollPanelFrame<ChartState>(page, {
    probe: (candidate) => candidate.evaluate(chartState, drawMeasure),
    done: (seen) => {
      state = seen;
      return seen.canvases > 0 && seen.draws > 0 && seen.label.includes(pointsShown);
    },
    failure: (last) => `The loss chart did not show ${pointsShown} in time: ${last ? `"${last.label}", ${last.draws} draws` : 'no loss chart found'}`,
    started,
    timeoutMs: openTimeoutMs,
    intervalMs: framePollIntervalMs,
  });
  return { ms, state: state!, frame };
}

async function readChart(frame: Frame): Promise<ChartState> {
  const state = await frame.evaluate(chartState, drawMeasure);
  if (!state) throw new Error('the loss chart is gone from its panel');
  return state;
}

async function describeChart(frame: Frame): Promise<string> {
  const facts = await frame.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals;
    const canvas = document.querySelector('#loss-chart canvas');
    return {
      label: document.querySelector('#loss-chart')?.getAttribute('aria-label') ?? '',
      width: canvas?.getAttribute('width') ?? '',
      height: canvas?.getAttribute('height') ?? '',
      smoothing: (document.querySelector('#chart-smoothing') as unknown as { value: string } | null)?.value ?? '',
    };
  });
  return `canvas ${facts.width}×${facts.height} px, smoothing ${facts.smoothing}: "${facts.label}"`;
}

// ── inside the webview (these functions run in the page, so they name no imports) ──

interface ChartState {
  /** The chart's accessible description, which names the points it holds. */
  readonly label: string;
  readonly canvases: number;
  /** The draws measured so far, and the duration of the last one. */
  readonly draws: number;
  readonly lastDrawMs: number;
}

/** Null when this frame holds no loss chart (another webview, or the workbench). */
function chartState(measureName: string): ChartState | null {
  const page = globalThis as unknown as PageGlobals;
  const chart: PageElement | null = page.document.querySelector('#loss-chart');
  if (!chart) return null;
  // The chart clears its measures every 500 draws; this benchmark draws far fewer.
  const draws = page.performance.getEntriesByName(measureName, 'measure');
  return {
    label: chart.getAttribute('aria-label') ?? '',
    canvases: chart.querySelectorAll('canvas').length,
    draws: draws.length,
    lastDrawMs: draws.length > 0 ? draws[draws.length - 1]!.duration : Number.NaN,
  };
}
