/** Columns outside the zoomed window get this share of the window's resolution: enough to keep the line, and the extent for a zoom reset. */
const outsideShare = 0.25;

/**
 * The points a chart draws of a series, each with the column of the series it stands for:
 * `indices[i]` is drawn, standing for the points `[starts[i], ends[i])`.
 */
export interface DrawnPoints {
  readonly indices: Uint32Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
}

class PointsOut {
  count = 0;
  readonly indices: Uint32Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;

  constructor(capacity: number) {
    this.indices = new Uint32Array(capacity);
    this.starts = new Uint32Array(capacity);
    this.ends = new Uint32Array(capacity);
  }

  push(index: number, start: number, end: number): void {
    this.indices[this.count] = index;
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  result(from: number): DrawnPoints {
    return { indices: this.indices.subarray(from, this.count), starts: this.starts.subarray(from, this.count), ends: this.ends.subarray(from, this.count) };
  }
}

/**
 * The points to draw for `x`/`y` in `[from, to)` in `columns` columns: in each, the lowest and the
 * highest value in the order they occur. A line through them looks the same as one through every
 * point (spikes kept), for two points per column. Columns are taken by x value, not index, so
 * uneven steps stay where they belong. A column whose values are all NaN keeps one point, which
 * the chart draws as a gap.
 */
function minMax(x: Float64Array, y: Float64Array, from: number, to: number, columns: number, out: PointsOut): void {
  if (to <= from) return;
  const x0 = x[from]!;
  const span = x[to - 1]! - x0;
  const scale = span > 0 ? columns / span : 0;
  let column = -1;
  let first = from;
  let minAt = -1;
  let maxAt = -1;
  const flush = (end: number): void => {
    if (minAt < 0) {
      out.push(first, first, end);
    } else if (minAt === maxAt) {
      out.push(minAt, first, end);
    } else {
      out.push(Math.min(minAt, maxAt), first, end);
      out.push(Math.max(minAt, maxAt), first, end);
    }
  };
  for (let i = from; i < to; i++) {
    const c = Math.min(columns - 1, Math.floor((x[i]! - x0) * scale));
    if (c !== column) {
      if (column >= 0) flush(i);
      column = c;
      first = i;
      minAt = maxAt = -1;
    }
    const value = y[i]!;
    if (Number.isNaN(value)) continue;
    if (minAt < 0 || value < y[minAt]!) minAt = i;
    if (maxAt < 0 || value > y[maxAt]!) maxAt = i;
  }
  flush(to);
}

/** The first index whose x is at least `value` (x ascending). */
export function lowerBound(x: Float64Array, length: number, value: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (x[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The points to draw for a chart `columns` pixels wide showing x in `[view.min, view.max]` (the
 * whole series when null): every point when there are few, else min/max per column inside the
 * view and coarser columns outside it, and always the first and the last point, so the series
 * keeps its full extent for a zoom reset.
 */
export function pointsToDraw(x: Float64Array, y: Float64Array, length: number, columns: number, view: { min: number; max: number } | null): DrawnPoints {
  const cols = Math.max(1, Math.floor(columns));
  if (length <= 2 * cols) {
    const indices = Uint32Array.from({ length }, (_, i) => i);
    return { indices, starts: indices, ends: Uint32Array.from({ length }, (_, i) => i + 1) };
  }
  const outside = Math.max(1, Math.round(cols * outsideShare));
  // Room for every column's two points, and the first and last point added at the ends.
  const out = new PointsOut(2 * (cols + 2 * outside) + 8);
  out.count = 1;
  if (view === null) {
    minMax(x, y, 0, length, cols, out);
  } else {
    // One point beyond each edge of the window, so the line enters and leaves the plot.
    const start = Math.max(0, lowerBound(x, length, view.min) - 1);
    const end = Math.min(length, lowerBound(x, length, view.max) + 1);
    minMax(x, y, 0, start, outside, out);
    minMax(x, y, start, end, cols, out);
    minMax(x, y, end, length, outside, out);
  }
  // The first and last points always: the chart's extent, to which a zoom reset returns.
  let first = 1;
  if (out.indices[1] !== 0) {
    first = 0;
    out.indices[0] = 0;
    out.starts[0] = 0;
    out.ends[0] = 1;
  }
  if (out.indices[out.count - 1] !== length - 1) out.push(length - 1, length - 1, length);
  return out.result(first);
}

/**
 * The mean of `values` over each drawn point's column, NaN where the column has no number: how a
 * smooth line is drawn at the chart's resolution. Sampling it at the raw loss's extremes instead
 * would draw the smoothed line as jagged as the raw one.
 */
export function columnMeans(values: Float64Array, points: DrawnPoints): Float64Array {
  const { starts, ends } = points;
  const means = new Float64Array(starts.length);
  let mean = Number.NaN;
  for (let i = 0; i < starts.length; i++) {
    if (i === 0 || starts[i] !== starts[i - 1] || ends[i] !== ends[i - 1]) {
      let sum = 0;
      let count = 0;
      for (let j = starts[i]!; j < ends[i]!; j++) {
        const value = values[j]!;
        if (Number.isNaN(value)) continue;
        sum += value;
        count++;
      }
      mean = count > 0 ? sum / count : Number.NaN;
    }
    means[i] = mean;
  }
  return means;
}
