import { hasTag, splitTags } from '../../src/shared/captions/tags';
import type { CaptionRow } from '../../src/shared/protocol/captions';

/** A caption the trainer will use: a file with at least one tag. */
export function isCaptioned(row: Pick<CaptionRow, 'missing' | 'text'>): boolean {
  return !row.missing && splitTags(row.text).length > 0;
}

/** The counts line: "3 images · 2 captioned". */
export function countLabel(rows: readonly Pick<CaptionRow, 'missing' | 'text'>[]): string {
  const images = rows.length;
  const captioned = rows.filter(isCaptioned).length;
  return `${images.toLocaleString('en-US')} ${images === 1 ? 'image' : 'images'} · ${captioned.toLocaleString('en-US')} captioned`;
}

/** Captioned, but without the dataset's trigger word: the LoRA would not learn to answer to it there. */
export function lacksTrigger(row: Pick<CaptionRow, 'missing' | 'text'>, trigger: string | null): boolean {
  return trigger !== null && isCaptioned(row) && !hasTag(splitTags(row.text), trigger);
}

function captions(count: number): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'caption' : 'captions'}`;
}

/** How a change ended: what the disk took, and what stood in its way. */
export interface ChangeOutcome {
  readonly error: string | null;
  readonly saved: number;
  readonly skipped: number;
  readonly conflicts: readonly unknown[];
  readonly failed: readonly { readonly message: string }[];
}

/** What the status line says while a change is being written. */
export function describeSaving(count: number): string {
  return `Saving ${captions(count)}…`;
}

/** What the status line says after a change: what happened, then what stood in its way. */
export function describeResult(done: (count: string) => string, nothing: string, result: ChangeOutcome): { text: string; error: boolean } {
  if (result.error !== null) return { text: result.error, error: true };
  const parts: string[] = [result.saved > 0 ? done(captions(result.saved)) : nothing];
  if (result.skipped > 0) parts.push(`${captions(result.skipped)} left alone: changed on disk since`);
  if (result.conflicts.length > 0) parts.push(`${captions(result.conflicts.length)} changed on disk meanwhile: choose on the marked rows`);
  if (result.failed.length > 0) parts.push(`${captions(result.failed.length)} not saved: ${result.failed[0]!.message}`);
  return { text: parts.join('. ') + '.', error: result.failed.length > 0 || result.conflicts.length > 0 };
}
