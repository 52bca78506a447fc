/** The chart's smoothing weight at first, as TensorBoard's default. */
export const defaultSmoothing = 0.6;
export const maxSmoothing = 0.99;

export function clampSmoothing(weight: number): number {
  return Number.isFinite(weight) ? Math.min(maxSmoothing, Math.max(0, weight)) : defaultSmoothing;
}

/**
 * TensorBoard's scalar smoothing: an exponential moving average debiased by `1 - w^n`, so the
 * curve starts at the first value instead of climbing from zero. A value that is not finite (a
 * `nan` loss) stays as it is and does not enter the average. Writes `out[from..length)`, reading
 * `state` (the average and `w^n` so far) and leaving it ready for the next call: O(new points).
 */
export function emaInto(values: Float64Array, length: number, weight: number, out: Float64Array, from: number, state: EmaState): void {
  let last = state.last;
  let power = state.power;
  for (let i = from; i < length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) {
      out[i] = value;
      continue;
    }
    last = last * weight + (1 - weight) * value;
    power *= weight;
    out[i] = last / (1 - power);
  }
  state.last = last;
  state.power = power;
}

export interface EmaState {
  last: number;
  /** `weight^n` over the finite values averaged so far. */
  power: number;
}

/** The smoothed series, kept in step with a growing LossSeries: appends cost only the new points, a new weight one pass. */
export class EmaSmoother {
  values = new Float64Array(0);
  private weight = Number.NaN;
  private computed = 0;
  private readonly state: EmaState = { last: 0, power: 1 };

  update(source: Float64Array, length: number, weight: number): Float64Array {
    if (weight !== this.weight || length < this.computed) {
      this.weight = weight;
      this.computed = 0;
      this.state.last = 0;
      this.state.power = 1;
    }
    if (this.values.length < length) {
      const next = new Float64Array(Math.max(length, this.values.length * 2));
      next.set(this.values.subarray(0, this.computed));
      this.values = next;
    }
    emaInto(source, length, weight, this.values, this.computed, this.state);
    this.computed = length;
    return this.values;
  }
}
