import type { LossSeriesWire, LossSnapshot } from '../protocol/training';

/** A loss point as the trainer's job and run folder give it (LossPoint in core/training/model.ts). */
export interface LossPointLike {
  readonly step: number;
  readonly loss: number;
  readonly average: number | null;
}

/**
 * Points as the protocol's parallel arrays. A value that is not a finite number (a diverged run's
 * `nan`) becomes null: the protocol's numbers are finite, and JSON would have made it null anyway.
 */
export function toLossArrays(points: readonly LossPointLike[], from = 0, to = points.length): LossSeriesWire {
  const count = Math.max(0, to - from);
  const steps = new Array<number>(count);
  const losses = new Array<number | null>(count);
  const averages = new Array<number | null>(count);
  for (let i = 0; i < count; i++) {
    const point = points[from + i]!;
    steps[i] = point.step;
    losses[i] = finiteOrNull(point.loss);
    averages[i] = point.average === null ? null : finiteOrNull(point.average);
  }
  return { steps, losses, averages };
}

/**
 * The whole series for a first paint, at most `limit` points: a longer one is thinned evenly, its
 * first and last points kept, and `total` still counts every point so appends line up after it.
 */
export function lossSnapshot(points: readonly LossPointLike[], limit: number): LossSnapshot {
  const total = points.length;
  if (total <= limit) return { ...toLossArrays(points), total };
  const picked: LossPointLike[] = [];
  const stride = (total - 1) / (limit - 1);
  for (let i = 0; i < limit; i++) picked.push(points[Math.round(i * stride)]!);
  return { ...toLossArrays(picked), total };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
