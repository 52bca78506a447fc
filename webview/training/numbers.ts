export type ParsedNumber = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

/** Digit-group separators people type: `1,000`, `1 000`, `1_000`. */
const groupSeparator = /(\d)[,_ \u00a0\u202f](?=\d{3}(?:\D|$))/g;
const plainNumber = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/** A whole number as typed in the form: digit groups allowed (`1,000`), and `1e3`. */
export function parseWholeNumber(text: string): ParsedNumber {
  const cleaned = text.trim().replace(groupSeparator, '$1');
  if (cleaned === '') return { ok: false, message: 'Enter a whole number.' };
  if (!plainNumber.test(cleaned)) return { ok: false, message: `“${text.trim()}” is not a whole number.` };
  const value = Number(cleaned);
  if (!Number.isSafeInteger(value)) return { ok: false, message: Number.isInteger(value) ? 'This number is too large.' : `Enter a whole number, not ${text.trim()}.` };
  return { ok: true, value };
}

/** A decimal number as typed in the form: `0.0001`, `1e-4`, `.5`; a comma is a digit group (`1,000`), never the decimal point. */
export function parseDecimal(text: string): ParsedNumber {
  const trimmed = text.trim();
  const cleaned = trimmed.replace(groupSeparator, '$1');
  if (cleaned === '') return { ok: false, message: 'Enter a number, such as 0.0001 or 1e-4.' };
  if (cleaned.includes(',')) return { ok: false, message: `Use a point for decimals: ${cleaned.replace(',', '.')}.` };
  if (!plainNumber.test(cleaned)) return { ok: false, message: `“${trimmed}” is not a number; write it like 0.0001 or 1e-4.` };
  const value = Number(cleaned);
  if (!Number.isFinite(value)) return { ok: false, message: 'This number is too large.' };
  return { ok: true, value };
}

/** A number as the form shows it back: learning rates in exponent form when small (`1e-4`). */
export function formatDecimal(value: number): string {
  if (value !== 0 && Math.abs(value) < 0.001) return value.toExponential();
  return String(value);
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** A loss with four significant digits; `nan` when the trainer's was not a number. */
export function formatLoss(value: number | null): string {
  if (value === null) return '—';
  if (!Number.isFinite(value)) return 'nan';
  return value.toPrecision(4);
}

/** Seconds as `45 s`, `12 min 03 s`, `2 h 05 min`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** The trainer's speed the way tqdm shows it: it/s, or s/it when slower than one step a second. */
export function formatSpeed(itPerSec: number | null): string {
  if (itPerSec === null || !Number.isFinite(itPerSec) || itPerSec <= 0) return '—';
  return itPerSec >= 1 ? `${itPerSec.toFixed(2)} it/s` : `${(1 / itPerSec).toFixed(2)} s/it`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Seeds as typed for the comparison grid: whole numbers separated by commas or spaces. */
export function parseSeedList(text: string): { readonly seeds: number[]; readonly error: string | null } {
  const parts = text.split(/[\s,;]+/).filter((part) => part !== '');
  const seeds: number[] = [];
  for (const part of parts) {
    const value = Number(part);
    if (!/^\d+$/.test(part) || !Number.isSafeInteger(value)) return { seeds: [], error: `“${part}” is not a seed: use whole numbers such as 42.` };
    if (!seeds.includes(value)) seeds.push(value);
  }
  return { seeds, error: seeds.length === 0 ? 'Give at least one seed, such as 42.' : null };
}
