/** "2 minutes", "5 seconds", "1.5 seconds", "250 ms": durations for messages a person reads. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return plural(ms / 60_000, 'minute');
  if (ms >= 1000) return plural(Math.round(ms / 100) / 10, 'second');
  return `${ms} ms`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
