import { formatDuration } from '../process/formatDuration';

/**
 * A training's estimated time left, as a person reads it: no more precise than a second, nor
 * past a minute than a minute ("2 seconds", "35 minutes"). The estimate moves with every step,
 * so more digits would only flicker.
 */
export function formatTimeLeft(seconds: number): string {
  const ms = seconds >= 60 ? Math.round(seconds / 60) * 60_000 : Math.max(1, Math.round(seconds)) * 1000;
  return formatDuration(ms);
}
