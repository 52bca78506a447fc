import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { type ChartColors, readChartColors } from './chartColors';
import { columnMeans, type DrawnPoints, pointsToDraw } from './decimate';
import type { LossSeries } from './lossSeries';
import { formatCount, formatLoss } from './numbers';
import { EmaSmoother } from './smoothing';

/** The user-timing measure of one redraw, from the request to uPlot's `draw` hook; a benchmark reads it. */
export const drawMeasure = 'loss-chart-draw';
const drawStartMark = 'loss-chart-draw-start';
/** Measures are dropped now and then, so a long live run does not fill the timeline. */
const measuresKept = 500;
const plotHeight = 260;

export interface CheckpointMark {
  readonly step: number;
  readonly final: boolean;
}

/**
 * The loss chart: the raw per-step loss drawn faint, its smoothed curve (TensorBoard's EMA) and
 * the progress bar's average when the run has one, with a dashed line at each checkpoint.
 *
 * It draws from the LossSeries' growing arrays: an append smooths only the new points, and each
 * redraw hands uPlot at most two points per pixel column (min and max of the raw loss; the other
 * lines sampled at the same steps), so 100,000 points cost about what 2,000 do. Zooming (drag
 * across the plot; double-click resets) picks the points again for the window.
 */
export class LossChart {
  private plot: uPlot | null = null;
  private readonly smoother = new EmaSmoother();
  private colors: ChartColors;
  private checkpoints: readonly CheckpointMark[] = [];
  /** The x window the user zoomed to; null shows the whole series. */
  private zoom: { min: number; max: number } | null = null;
  private withAverage = false;
  private frame = 0;
  private startMarked = false;
  private measures = 0;
  private readonly resizeObserver: ResizeObserver;
  private readonly themeObserver: MutationObserver;

  constructor(
    private readonly container: HTMLElement,
    private readonly series: LossSeries,
    private smoothing: number,
  ) {
    this.colors = this.readColors();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    // VS Code changes the body's theme class and the variables together.
    this.themeObserver = new MutationObserver(() => this.themeChanged());
    this.themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.requestRedraw();
  }

  setSmoothing(weight: number): void {
    if (weight === this.smoothing) return;
    this.smoothing = weight;
    this.requestRedraw();
  }

  setCheckpoints(checkpoints: readonly CheckpointMark[]): void {
    if (sameMarks(checkpoints, this.checkpoints)) return;
    this.checkpoints = checkpoints;
    this.requestRedraw();
  }

  /** Points were appended to the series. */
  dataChanged(): void {
    this.requestRedraw();
  }

  /** Redraws at the next frame; requests in between become one redraw. */
  requestRedraw(): void {
    if (!this.startMarked) {
      performance.mark(drawStartMark);
      this.startMarked = true;
    }
    if (this.frame === 0) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.redraw();
      });
    }
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.resizeObserver.disconnect();
    this.themeObserver.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  private redraw(): void {
    const width = this.container.clientWidth;
    // A closed section has no width: draw when it opens (the resize observer asks again).
    if (width === 0) {
      this.startMarked = false;
      return;
    }
    const series = this.series;
    if (this.plot === null || this.withAverage !== series.hasAverages) this.build(width);
    const plot = this.plot!;
    const smoothed = this.smoother.update(series.losses, series.length, this.smoothing);
    const columns = plot.bbox.width > 0 ? plot.bbox.width / uPlot.pxRatio : width;
    const points = pointsToDraw(series.steps, series.losses, series.length, columns, this.zoom);
    const data = pick(points, series, smoothed, this.withAverage);
    if (this.zoom === null) {
      plot.setData(data);
    } else {
      // Keep the window: set the data without rescaling, then the window again, which ranges y over it and draws.
      plot.setData(data, false);
      plot.setScale('x', { ...this.zoom });
    }
    this.container.setAttribute('aria-label', this.describe(smoothed));
  }

  private build(width: number): void {
    this.plot?.destroy();
    this.withAverage = this.series.hasAverages;
    const colors = this.colors;
    const font = `${getComputedStyle(document.body).fontSize || '13px'} ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`;
    const value = (_: uPlot, v: number | null): string => formatLoss(v ?? null);
    const axis = { stroke: colors.axis, font, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
    const series: uPlot.Series[] = [
      { label: 'Step', value: (_, v) => (v === null ? '—' : formatCount(v)) },
      { label: 'Loss', stroke: colors.raw, width: 1, points: { show: false }, value },
      { label: 'Smoothed', stroke: colors.smoothed, width: 2, points: { show: false }, value },
    ];
    if (this.withAverage) series.push({ label: 'Average', stroke: colors.average, width: 1.5, dash: [6, 3], points: { show: false }, value });
    const options: uPlot.Options = {
      width,
      height: plotHeight,
      scales: { x: { time: false } },
      // Room on the right for the last step's label.
      padding: [8, 28, 0, 0],
      axes: [{ ...axis }, { ...axis, size: 56 }],
      series,
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      legend: { live: true },
      hooks: {
        draw: [(u) => this.drawn(u)],
        setScale: [(u, key) => key === 'x' && this.scaleChanged(u)],
      },
    };
    this.plot = new uPlot(options, [[], [], [], ...(this.withAverage ? [[]] : [])], this.container);
  }

  /** After each draw: the checkpoint lines over the plot, and the measure of the redraw. */
  private drawn(u: uPlot): void {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.strokeStyle = this.colors.checkpoint;
    ctx.lineWidth = uPlot.pxRatio;
    for (const mark of this.checkpoints) {
      const x = Math.round(u.valToPos(mark.step, 'x', true)) + 0.5;
      if (x < left - 1 || x > left + width + 1) continue;
      ctx.setLineDash(mark.final ? [] : [4 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
    ctx.restore();
    if (this.startMarked) {
      this.startMarked = false;
      if (++this.measures % measuresKept === 0) performance.clearMeasures(drawMeasure);
      performance.measure(drawMeasure, drawStartMark);
    }
  }

  /** A drag zoom or its reset: the points are picked again for the new window. */
  private scaleChanged(u: uPlot): void {
    const { min, max } = u.scales['x'] ?? {};
    const series = this.series;
    if (min == null || max == null || series.length < 2) return;
    const whole = min <= series.steps[0]! && max >= series.steps[series.length - 1]!;
    const zoom = whole ? null : { min, max };
    if (zoom === null ? this.zoom === null : this.zoom !== null && this.zoom.min === min && this.zoom.max === max) return;
    this.zoom = zoom;
    this.requestRedraw();
  }

  private resize(): void {
    const width = this.container.clientWidth;
    // The observer's first call, and height changes, leave the plot as it is.
    if (width === 0 || (this.plot !== null && this.plot.width === width)) return;
    this.plot?.setSize({ width, height: plotHeight });
    // The columns changed: pick the points again for the new width.
    this.requestRedraw();
  }

  private themeChanged(): void {
    this.colors = this.readColors();
    // Colours are fixed when uPlot is built; a theme change is rare enough to build it again.
    this.plot?.destroy();
    this.plot = null;
    this.requestRedraw();
  }

  private readColors(): ChartColors {
    const style = getComputedStyle(document.documentElement);
    return readChartColors((name) => style.getPropertyValue(name));
  }

  private describe(smoothed: Float64Array): string {
    const n = this.series.length;
    if (n === 0) return 'Loss chart: no loss recorded yet.';
    const last = this.series.steps[n - 1]!;
    return `Loss chart: ${formatCount(n)} points up to step ${formatCount(last)}; smoothed loss ${formatLoss(smoothed[n - 1]!)}.`;
  }
}

/**
 * The uPlot data for the chosen points: the raw loss at its extremes per column, the smoothed loss
 * and the average as their means over each column. NaN becomes null, a gap in the line.
 */
function pick(points: DrawnPoints, series: LossSeries, smoothed: Float64Array, withAverage: boolean): uPlot.AlignedData {
  const { indices } = points;
  const count = indices.length;
  const x = new Float64Array(count);
  const raw: (number | null)[] = new Array<number | null>(count);
  const smoothedMeans = columnMeans(smoothed, points);
  const averageMeans = withAverage ? columnMeans(series.averages, points) : null;
  for (let i = 0; i < count; i++) {
    const at = indices[i]!;
    x[i] = series.steps[at]!;
    raw[i] = orNull(series.losses[at]!);
  }
  const smooth = Array.from(smoothedMeans, orNull);
  return averageMeans ? [x, raw, smooth, Array.from(averageMeans, orNull)] : [x, raw, smooth];
}

function orNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

function sameMarks(a: readonly CheckpointMark[], b: readonly CheckpointMark[]): boolean {
  return a.length === b.length && a.every((mark, i) => mark.step === b[i]!.step && mark.final === b[i]!.final);
}
