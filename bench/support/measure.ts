// Shared by every benchmark: repeat a measurement, print it in the one format bench/run.mjs
// reads, and say whether it met its target.
//
//   BENCH <name> <value> <unit>          the figure (a median of several runs)
//     runs <n>: min <a>, max <b> <unit>   the spread, so noise is visible
//     target < <t> <unit>: ok | MISSED   (or ≤, or ≥ for figures that should be large)
//
// A skipped benchmark prints `BENCH <name> skipped` and its reason on the next line.

/** The runner (2 cores) is noisy; the median of a few runs is steadier than any single one. */
export const defaultRuns = 5;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The nearest-rank percentile: the smallest sample that `p` percent of the samples are at or below. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Milliseconds `work` takes. */
export async function time(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Prints one figure, its spread and its target (`value < target`); returns the median. */
export function report(name: string, samples: readonly number[], unit: string, target: number): number {
  const value = median(samples);
  // Ratios live near 1: they need three decimals to say anything.
  const digits = unit === 'ratio' ? 3 : 1;
  console.log(`BENCH ${name} ${value.toFixed(digits)} ${unit}`);
  if (samples.length > 1) {
    console.log(`  runs ${samples.length}: min ${Math.min(...samples).toFixed(digits)}, max ${Math.max(...samples).toFixed(digits)} ${unit}`);
  }
  console.log(`  target ${unit === 'ratio' ? '≤' : '<'} ${formatTarget(target)} ${unit}: ${(unit === 'ratio' ? value <= target : value < target) ? 'ok' : 'MISSED'}`);
  return value;
}

/** Prints one figure that should be large, a rate or a ratio against a baseline (`value ≥ target`); returns the median. */
export function reportAtLeast(name: string, samples: readonly number[], unit: string, target: number): number {
  const value = median(samples);
  const digits = unit === 'ratio' ? 3 : 1;
  console.log(`BENCH ${name} ${value.toFixed(digits)} ${unit}`);
  if (samples.length > 1) {
    console.log(`  runs ${samples.length}: min ${Math.min(...samples).toFixed(digits)}, max ${Math.max(...samples).toFixed(digits)} ${unit}`);
  }
  console.log(`  target ≥ ${formatTarget(target)} ${unit}: ${value >= target ? 'ok' : 'MISSED'}`);
  return value;
}

export function skip(name: string, reason: string): void {
  console.log(`BENCH ${name} skipped`);
  console.log(`  reason: ${reason}`);
}

function formatTarget(target: number): string {
  return Number.isInteger(target) ? String(target) : String(Number(target.toFixed(3)));
}
