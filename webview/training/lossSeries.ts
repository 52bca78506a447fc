/** Room for a short run before the first growth. */
const initialCapacity = 1024;

/**
 * The loss series as the chart reads it: steps, per-step losses and averages in parallel
 * Float64Arrays that grow geometrically, so a live run appends in amortized O(1) per point and
 * the chart never copies the whole series for a new batch. Unknown values are NaN.
 */
export class LossSeries {
  steps = new Float64Array(initialCapacity);
  losses = new Float64Array(initialCapacity);
  averages = new Float64Array(initialCapacity);
  length = 0;
  /** Points of the whole series the host has sent, counting points a thinned snapshot left out. */
  total = 0;
  /** Whether any point has an average: the chart draws that line only then. */
  hasAverages = false;

  get capacity(): number {
    return this.steps.length;
  }

  /** Appends points; nulls become NaN. */
  append(steps: ArrayLike<number>, losses: ArrayLike<number | null>, averages: ArrayLike<number | null>): void {
    const count = steps.length;
    this.reserve(this.length + count);
    for (let i = 0; i < count; i++) {
      const at = this.length + i;
      this.steps[at] = steps[i]!;
      this.losses[at] = losses[i] ?? Number.NaN;
      const average = averages[i] ?? Number.NaN;
      this.averages[at] = average;
      if (!this.hasAverages && !Number.isNaN(average)) this.hasAverages = true;
    }
    this.length += count;
    this.total += count;
  }

  /**
   * Takes a batch that starts at index `from` of the whole series: the part already held is
   * skipped (a batch sent again after a reload), a gap is accepted (points are only missing).
   * Returns how many points were added.
   */
  appendFrom(from: number, steps: ArrayLike<number>, losses: ArrayLike<number | null>, averages: ArrayLike<number | null>): number {
    const skip = Math.max(0, this.total - from);
    if (skip >= steps.length) return 0;
    this.append(slice(steps, skip), slice(losses, skip), slice(averages, skip));
    // After a gap the count still follows the host's, so the next batch lines up.
    this.total = from + steps.length;
    return steps.length - skip;
  }

  private reserve(needed: number): void {
    if (needed <= this.capacity) return;
    let capacity = this.capacity;
    while (capacity < needed) capacity *= 2;
    this.steps = grown(this.steps, capacity, this.length);
    this.losses = grown(this.losses, capacity, this.length);
    this.averages = grown(this.averages, capacity, this.length);
  }
}

function grown(array: Float64Array, capacity: number, length: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity);
  next.set(array.subarray(0, length));
  return next;
}

function slice<T>(values: ArrayLike<T>, start: number): ArrayLike<T> {
  return start === 0 ? values : Array.prototype.slice.call(values, start);
}
