import type { FailureCause, KohyaEvent, TrainerLine } from './model';

/**
 * Reading sd-scripts' console output (`train_network.py`, alone or under `accelerate launch`).
 *
 * The trainer writes three kinds of text: tqdm bars on stderr (`\r` + the line, no `\n`), `print`
 * lines on stdout (banner, `epoch N/M`, `saving checkpoint: …`), and log records, either through
 * Rich on stderr (a time, a level, the message, a `file.py:123` column, wrapped at 80 columns) or,
 * with `--console_log_simple`, as bare messages on stdout. Python tracebacks come on stderr.
 *
 * The parser looks at the text only, never at which stream a line came from, except to join a
 * Rich message with its continuation lines (of the same stream) and to count lines for the
 * failure window. Bar redraws are the bulk of a transcript, so they are read by hand with
 * `indexOf`, and everything else is tested on a cheap prefix before any pattern runs.
 */

/** What the trainer died of, as {@link KohyaLogParser.failure} and {@link failureOf} name it. */
export interface TrainerFailure {
  /** Null when the error is not one StudioNOVA knows a remedy for. */
  readonly cause: FailureCause | null;
  readonly message: string;
}

type ErrorEvent = Extract<KohyaEvent, { kind: 'error' }>;
type Stream = TrainerLine['stream'];

/** The last lines of each stream in which an error still counts as the failure (kohya_ss shows 40). */
const failureWindow = 40;
/** Errors kept for {@link KohyaLogParser.failure}; older ones are outside any window anyway. */
const keptErrors = 64;
/** An error message longer than this (a runaway repr) is cut. */
const maxMessageLength = 4000;

const richLevels = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
type RichLevel = (typeof richLevels)[number];
/** Rich's time column is 19 wide, then a space; the level column 8, then a space. */
const richMessageColumn = 29;

/** A Rich log record, open while continuation lines may still follow. */
interface RichMessage {
  readonly level: RichLevel;
  text: string;
  /** Its non-error event (a wrapped `generating sample images…`) was already reported. */
  recognised: boolean;
  /** The stream's line count when it began, for the failure window. */
  readonly lineNo: number;
  /** Its place among all counted lines of both streams. */
  readonly order: number;
}

interface SeenError {
  readonly event: ErrorEvent;
  readonly stream: Stream;
  readonly lineNo: number;
  readonly order: number;
  readonly wrapper: boolean;
}

/**
 * Turns trainer lines into {@link KohyaEvent}s, one line at a time.
 *
 * State is kept only where a line cannot be read alone: a Rich record's continuation lines (a
 * Rich error is reported once its last line is known, so on the next line of its stream or at
 * {@link end}), and the recent errors that {@link failure} chooses from.
 */
export class KohyaLogParser {
  private readonly open: Record<Stream, RichMessage | undefined> = { stdout: undefined, stderr: undefined };
  private readonly lineCount: Record<Stream, number> = { stdout: 0, stderr: 0 };
  private arrival = 0;
  private errors: SeenError[] = [];

  /** The events one line (a `\r`/`\n`-separated segment) holds, in order; usually none or one. */
  push(line: TrainerLine): KohyaEvent[] {
    const out: KohyaEvent[] = [];
    const text = line.line;
    const stream = line.stream;
    let start = 0;
    // A bar segment may have log text glued after its `]`: read on from there as a new segment.
    for (;;) {
      const end = this.bar(text, start, out);
      if (end < 0) break;
      this.closeRich(stream, out);
      start = skipSpaces(text, end);
      if (start >= text.length) return out;
    }
    this.message(stream, start === 0 ? text : text.slice(start), out);
    return out;
  }

  /** The streams have ended: reports a Rich error still waiting for continuation lines. */
  end(): KohyaEvent[] {
    const out: KohyaEvent[] = [];
    this.closeRich('stderr', out);
    this.closeRich('stdout', out);
    return out;
  }

  /**
   * The most telling error among those in the last 40 lines of their stream (a Rich error still
   * open counts too): the latest with a known cause, else the latest that is not accelerate's
   * `CalledProcessError` wrapper, else the wrapper. Null when no error was seen there. Call it
   * when the trainer exits without `model saved.`.
   */
  failure(): TrainerFailure | null {
    const recent = this.errors.filter((e) => this.lineCount[e.stream] - e.lineNo < failureWindow);
    for (const stream of ['stdout', 'stderr'] as const) {
      const pending = this.open[stream];
      const event = pending && richError(pending);
      if (pending && event) recent.push({ event, stream, lineNo: pending.lineNo, order: pending.order, wrapper: false });
    }
    recent.sort((a, b) => a.order - b.order);
    const pick = findLast(recent, (e) => e.event.cause !== null) ?? findLast(recent, (e) => !e.wrapper) ?? recent.at(-1);
    return pick ? { cause: pick.event.cause, message: pick.event.message } : null;
  }

  /** Reads a tqdm bar at `at`: the `steps` bar adds a progress event, other bars nothing. Returns the index after its `]`, or -1 when it is no bar. */
  private bar(text: string, at: number, out: KohyaEvent[]): number {
    const isSteps = text.startsWith('steps:', at);
    const pct = text.indexOf('%|', at);
    // Other bars: no desc (`100%|…`), `read caption:`, `validation steps:`, a sampler's; the desc is short.
    if (pct < 0 || (!isSteps && pct - at > 48)) return -1;
    const barEnd = text.indexOf('|', pct + 2);
    if (barEnd < 0) return -1;
    // n/total, read as they are skipped: no substring for the numbers of the hottest line there is.
    let i = skipSpaces(text, barEnd + 1);
    const nStart = i;
    let step = 0;
    for (let c = text.charCodeAt(i); isDigit(c); c = text.charCodeAt(++i)) step = step * 10 + (c - 48);
    if (i === nStart || text.charCodeAt(i) !== 47 /* / */) return -1;
    const totalStart = ++i;
    let total = 0;
    for (let c = text.charCodeAt(i); isDigit(c); c = text.charCodeAt(++i)) total = total * 10 + (c - 48);
    if (i === totalStart || text.charCodeAt(i) !== 32 || text.charCodeAt(i + 1) !== 91 /* [ */) return -1;
    const totalEnd = i;
    const timesStart = totalEnd + 2;
    const close = text.indexOf(']', timesStart);
    if (close < 0) return -1;
    if (!isSteps) return close + 1;
    const lt = text.indexOf('<', timesStart);
    const comma = lt < 0 ? -1 : text.indexOf(',', lt);
    if (lt < 0 || comma < 0 || comma > close) return -1;
    const rateStart = skipSpaces(text, comma + 1);
    let rateEnd = text.indexOf(',', rateStart);
    if (rateEnd < 0 || rateEnd > close) rateEnd = close;
    out.push({
      kind: 'progress',
      step,
      total,
      averageLoss: rateEnd < close ? postfixLoss(text, rateEnd, close) : null,
      itPerSec: rate(text, rateStart, rateEnd),
      elapsedSec: clock(text, timesStart, lt) ?? 0,
      remainingSec: clock(text, lt + 1, comma),
    });
    return close + 1;
  }

  /** A segment that is not a bar: a Rich record or its continuation, a print, a bare log message, a traceback line. */
  private message(stream: Stream, raw: string, out: KohyaEvent[]): void {
    const text = raw.trimEnd();
    // A blank line neither ends a Rich record (its empty lines trim to nothing) nor counts.
    if (text.length === 0) return;
    const messageStart = richMessageStart(text);
    if (messageStart > 0) {
      this.closeRich(stream, out);
      const lineNo = this.lineCount[stream]++;
      const message = withoutSourceColumn(text.slice(messageStart));
      const rich: RichMessage = { level: richLevel(text), text: message, recognised: false, lineNo, order: this.arrival++ };
      this.open[stream] = rich;
      const event = recognise(message);
      if (event) {
        rich.recognised = true;
        out.push(event);
      }
      return;
    }
    const rich = this.open[stream];
    if (rich && isContinuation(text)) {
      // A long multi-line record (the dataset block) need not be kept whole: errors are cut anyway.
      if (rich.text.length < maxMessageLength) rich.text = `${rich.text} ${withoutSourceColumn(text.trim())}`;
      if (!rich.recognised) {
        const event = recognise(rich.text);
        if (event) {
          rich.recognised = true;
          out.push(event);
        }
      }
      return;
    }
    this.closeRich(stream, out);
    const lineNo = this.lineCount[stream]++;
    const order = this.arrival++;
    const trimmed = text.charCodeAt(0) === 32 ? text.trim() : text;
    const event = recognise(trimmed) ?? plainError(text);
    if (event?.kind === 'error') this.report(event, stream, lineNo, order, out);
    else if (event) out.push(event);
  }

  private closeRich(stream: Stream, out: KohyaEvent[]): void {
    const rich = this.open[stream];
    if (!rich) return;
    this.open[stream] = undefined;
    const event = richError(rich);
    if (event) this.report(event, stream, rich.lineNo, rich.order, out);
  }

  /** Keeps an error for {@link failure} and reports it, unless it is accelerate's wrapper repeating an earlier one. */
  private report(event: ErrorEvent, stream: Stream, lineNo: number, order: number, out: KohyaEvent[]): void {
    const wrapper = exceptionName(event.message).endsWith('CalledProcessError');
    const hadError = this.errors.length > 0;
    this.errors.push({ event, stream, lineNo, order, wrapper });
    if (this.errors.length > keptErrors) this.errors = this.errors.slice(-keptErrors);
    if (!(wrapper && hadError)) out.push(event);
  }
}

/**
 * The most telling error in a run's last lines, as {@link KohyaLogParser.failure} chooses it:
 * give the trainer's lines (both streams, in arrival order, or a log tail); they are read by a
 * fresh parser. Null when they hold no error: the caller then speaks of the exit code.
 */
export function failureOf(lines: readonly TrainerLine[]): TrainerFailure | null {
  const parser = new KohyaLogParser();
  for (const line of lines) parser.push(line);
  parser.end();
  return parser.failure();
}

/**
 * A saved transcript as the trainer's lines: split on `\n`, `\r\n` and lone `\r` (a bar redraw,
 * marked `progress`; an empty one is dropped), as the runner's log ring splits live output.
 * `stream` defaults to stderr, where bars and Rich records go, so that a transcript of both
 * streams (`2>&1`) joins Rich continuation lines as the live stderr would.
 */
export function splitTrainerText(text: string, stream: Stream = 'stderr'): TrainerLine[] {
  const lines: TrainerLine[] = [];
  let start = 0;
  let cr = text.indexOf('\r');
  let lf = text.indexOf('\n');
  while (cr >= 0 || lf >= 0) {
    if (lf >= 0 && (cr < 0 || lf < cr)) {
      lines.push({ stream, line: text.slice(start, lf), progress: false });
      start = lf + 1;
      lf = text.indexOf('\n', start);
    } else if (cr + 1 === lf) {
      lines.push({ stream, line: text.slice(start, cr), progress: false });
      start = lf + 1;
      cr = text.indexOf('\r', start);
      lf = text.indexOf('\n', start);
    } else {
      if (cr > start) lines.push({ stream, line: text.slice(start, cr), progress: true });
      start = cr + 1;
      cr = text.indexOf('\r', start);
    }
  }
  if (start < text.length) lines.push({ stream, line: text.slice(start), progress: false });
  return lines;
}

/** The failure cause a message names, if StudioNOVA knows it. */
export function causeOf(message: string): FailureCause | null {
  if (/out of memory/i.test(message)) return 'out-of-memory';
  if (message.includes('No data found')) return 'no-images';
  if (
    message.includes('model is not found as a file or in Hugging Face') ||
    message.includes('HFValidationError') ||
    message.includes('Repo id must be') ||
    // diffusers refuses an absolute path that is not a file before sd-scripts can say so itself.
    message.includes('is neither a valid local path nor a valid repo id')
  ) {
    return 'missing-base-model';
  }
  if (
    message.includes('Invalid user config') ||
    message.includes('MultipleInvalid') ||
    message.includes('file not found / ') ||
    message.includes('ファイルが見つかりません') ||
    message.endsWith('.toml not found.')
  ) {
    return 'bad-config';
  }
  if (message.includes('ImportError: No ') || message.includes('ModuleNotFoundError')) return 'missing-package';
  return null;
}

/** The non-error events of a message (prints and log records alike), tested on their first letter first. */
function recognise(text: string): KohyaEvent | null {
  switch (text.charCodeAt(0)) {
    case 101: /* e */ {
      if (!text.startsWith('epoch ')) return null;
      const slash = text.indexOf('/', 6);
      const epoch = wholeNumber(text, 6, slash);
      const epochs = wholeNumber(text, slash + 1, text.length);
      return slash > 0 && epoch !== null && epochs !== null ? { kind: 'epoch', epoch, epochs } : null;
    }
    case 115: /* s */
      return text.startsWith('saving checkpoint: ') ? { kind: 'checkpoint', path: text.slice(19).trim() } : null;
    case 114: /* r */
      return text.startsWith('removing old checkpoint: ') ? { kind: 'checkpoint-removed', path: text.slice(25).trim() } : null;
    case 103: /* g */ {
      if (!text.startsWith('generating sample images at step')) return null;
      const step = numberAfterColon(text);
      return step === null ? null : { kind: 'sampling', step };
    }
    case 110: /* n */
      return banner(text, 'num train images * repeats /', 'trainImages') ??
        banner(text, 'num reg images /', 'regImages') ??
        banner(text, 'num batches per epoch /', 'batchesPerEpoch') ??
        banner(text, 'num epochs /', 'epochs');
    case 116: /* t */
      return banner(text, 'total optimization steps /', 'totalSteps');
    case 111: /* o */
      return banner(text, 'override steps. steps for ', 'totalSteps');
    case 109: /* m */
      return text === 'model saved.' ? { kind: 'model-saved' } : null;
    default:
      return null;
  }
}

function banner(text: string, prefix: string, field: Extract<KohyaEvent, { kind: 'banner' }>['field']): KohyaEvent | null {
  if (!text.startsWith(prefix)) return null;
  const value = numberAfterColon(text);
  return value === null ? null : { kind: 'banner', field, value };
}

/** An error in a line that is not a Rich record: a traceback's last line (`…Error: …`), or a message sd-scripts logs on failure. */
function plainError(text: string): ErrorEvent | null {
  // Errors start at the margin; indented lines are a traceback's frames and code, or banner lines.
  const first = text.charCodeAt(0);
  if (first === 32 || first === 9) return null;
  if (exceptionName(text) !== '') return errorEvent(text, causeOf(text));
  const cause = knownLogError(text);
  return cause ? errorEvent(text, cause) : null;
}

/** A Rich record that is an error: logged at ERROR/CRITICAL, or one of sd-scripts' failure messages logged lower (`<p>.toml not found.`). */
function richError(rich: RichMessage): ErrorEvent | null {
  if (rich.level === 'ERROR' || rich.level === 'CRITICAL') return errorEvent(rich.text, causeOf(rich.text));
  const cause = knownLogError(rich.text);
  return cause ? errorEvent(rich.text, cause) : null;
}

/** The failure messages sd-scripts logs itself (with `--console_log_simple`, bare lines on stdout). */
function knownLogError(message: string): FailureCause | null {
  const relevant =
    message.includes('No data found') ||
    message.includes('model is not found as a file or in Hugging Face') ||
    message.includes('Invalid user config') ||
    message.endsWith('.toml not found.');
  return relevant ? causeOf(message) : null;
}

function errorEvent(message: string, cause: FailureCause | null): ErrorEvent {
  return { kind: 'error', cause, message: message.length > maxMessageLength ? `${message.slice(0, maxMessageLength)}…` : message };
}

/**
 * The exception class of a traceback's last line (`torch.OutOfMemoryError: CUDA out of memory…`,
 * `voluptuous.error.MultipleInvalid: …`, `KeyboardInterrupt`), or '' when the line is not one.
 */
function exceptionName(text: string): string {
  const first = text.charCodeAt(0);
  if (!(isLetter(first) || first === 95)) return '';
  let i = 1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!(isLetter(c) || isDigit(c) || c === 95 || c === 46)) break;
  }
  if (i < text.length && text.charCodeAt(i) !== 58 /* : */) return '';
  const name = text.slice(0, i);
  const exceptional =
    name.endsWith('Error') || name.endsWith('Exception') || name.endsWith('Invalid') || name === 'KeyboardInterrupt' || name.endsWith('.KeyboardInterrupt');
  return exceptional ? name : '';
}

/** Where the message starts in a Rich record (`2026-03-01 10:00:01 INFO     …`, the time blank when it repeats); 0 when the line is not one. */
function richMessageStart(text: string): number {
  if (text.length < 25 || text.charCodeAt(19) !== 32) return 0;
  const c0 = text.charCodeAt(0);
  if (c0 === 32) {
    // A blank time column: 20 spaces, then the level.
    for (let i = 1; i < 19; i++) if (text.charCodeAt(i) !== 32) return 0;
  } else if (!(isDigit(c0) && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && text.charCodeAt(10) === 32 && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58)) {
    return 0;
  }
  for (const level of richLevels) {
    if (!text.startsWith(level, 20)) continue;
    const after = 20 + level.length;
    if (after < text.length && text.charCodeAt(after) !== 32) return 0;
    return skipSpaces(text, after);
  }
  return 0;
}

function richLevel(text: string): RichLevel {
  return richLevels.find((level) => text.startsWith(level, 20)) ?? 'INFO';
}

/** A wrapped or multi-line Rich message goes on below, in the message column, with the time and level columns blank. */
function isContinuation(text: string): boolean {
  if (text.length <= richMessageColumn) return false;
  for (let i = 0; i < richMessageColumn; i++) if (text.charCodeAt(i) !== 32) return false;
  return true;
}

/** Drops Rich's right-hand `file.py:123` column. */
function withoutSourceColumn(message: string): string {
  const space = message.lastIndexOf(' ');
  const token = message.slice(space + 1);
  const colon = token.lastIndexOf(':');
  if (colon < 4 || !token.startsWith('.py', colon - 3) || wholeNumber(token, colon + 1, token.length) === null) return message;
  return space < 0 ? '' : message.slice(0, space).trimEnd();
}

/** `avr_loss` (or the pre-2023 `loss`) among the bar's postfix pairs; keys may hold spaces (`Average key norm=…`). */
function postfixLoss(text: string, from: number, close: number): number | null {
  let key = text.indexOf(', avr_loss=', from);
  let valueStart = key + 11;
  if (key < 0 || key > close) {
    key = text.indexOf(', loss=', from);
    valueStart = key + 7;
    if (key < 0 || key > close) return null;
  }
  let valueEnd = text.indexOf(',', valueStart);
  if (valueEnd < 0 || valueEnd > close) valueEnd = close;
  const loss = decimal(text, valueStart, valueEnd);
  if (!Number.isNaN(loss)) return loss;
  // tqdm's format_num also writes `1.2e-05`, `nan` and `inf`.
  const value = text.slice(valueStart, valueEnd).trim();
  if (value === 'nan') return Number.NaN;
  if (value === 'inf') return Number.POSITIVE_INFINITY;
  if (value === '-inf') return Number.NEGATIVE_INFINITY;
  const other = Number(value);
  return value === '' || Number.isNaN(other) ? null : other;
}

/** tqdm's rate, in steps per second: `1.56it/s`, `2.25s/it` (inverted), `?it/s` (null). */
function rate(text: string, from: number, to: number): number | null {
  let end = to;
  while (end > from && text.charCodeAt(end - 1) === 32) end--;
  const perSecond = text.startsWith('it/s', end - 4);
  if (!perSecond && !text.startsWith('s/it', end - 4)) return null;
  // tqdm writes it with `5.2f`; anything else is its `?` before the first update.
  const n = decimal(text, from, end - 4);
  if (Number.isNaN(n)) return null;
  if (perSecond) return n;
  return n > 0 ? 1 / n : null;
}

/**
 * A plain `123` or `12.34` between `from` and `to`, NaN for anything else. Digits over a power
 * of ten round exactly as `Number()` would, for the lengths a bar prints.
 */
function decimal(text: string, from: number, to: number): number {
  let whole = 0;
  let i = from;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) break;
    whole = whole * 10 + (c - 48);
  }
  if (i === from) return Number.NaN;
  if (i === to) return whole;
  if (text.charCodeAt(i) !== 46 /* . */ || i + 1 === to || to - from > 15) return Number.NaN;
  let scale = 1;
  for (i++; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return Number.NaN;
    whole = whole * 10 + (c - 48);
    scale *= 10;
  }
  return whole / scale;
}

/** tqdm's `MM:SS` or `H:MM:SS` in seconds; null for `?`. */
function clock(text: string, from: number, to: number): number | null {
  let seconds = 0;
  let part = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      part = part * 10 + (c - 48);
      digits++;
    } else if (c === 58 && digits > 0) {
      seconds = (seconds + part) * 60;
      part = 0;
      digits = 0;
    } else if (c !== 32) {
      return null;
    }
  }
  return digits > 0 ? seconds + part : null;
}

function numberAfterColon(text: string): number | null {
  return wholeNumber(text, text.lastIndexOf(':') + 1, text.length);
}

/** The non-negative integer between `from` and `to`, spaces around it allowed; null if anything else is there. */
function wholeNumber(text: string, from: number, to: number): number | null {
  const start = skipSpaces(text, from);
  const end = skipDigits(text, start);
  if (end === start || skipSpaces(text, end) < to) return null;
  return Number(text.slice(start, end));
}

function skipSpaces(text: string, i: number): number {
  while (text.charCodeAt(i) === 32) i++;
  return i;
}

function skipDigits(text: string, i: number): number {
  while (isDigit(text.charCodeAt(i))) i++;
  return i;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function findLast<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return items[i];
  return undefined;
}
