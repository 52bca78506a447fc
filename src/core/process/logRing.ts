export type LogStream = 'stdout' | 'stderr';

/** One line of a child's output. */
export interface LogLine {
  readonly stream: LogStream;
  readonly line: string;
  /**
   * The line ended with a lone `\r`: a progress-bar redraw (tqdm) that the next one replaces.
   * A log channel may skip these; a progress parser reads them.
   */
  readonly progress: boolean;
}

export interface LogRingOptions {
  /** Lines kept. Default 500. */
  readonly maxLines?: number;
  /** Longer lines are cut here and end with `…`, so one runaway line cannot eat the memory. Default 4000. */
  readonly maxLineLength?: number;
}

interface Entry {
  readonly stream: LogStream;
  text: string;
  truncated: boolean;
}

interface StreamState {
  /** The unfinished line of this stream; it is in `entries` too (unless evicted), so `tail` shows it. */
  open: Entry | undefined;
  /** The last character was `\r`; whether it ends the line (`\r\n`) or rewrites it is known only from the next one. */
  pendingCr: boolean;
}

/**
 * The last lines a child printed on stdout and stderr, in arrival order.
 *
 * Lines end at `\n` (or `\r\n`). A lone `\r` moves back to the start of the line, as in a
 * terminal: tqdm draws its bar as `\r` + text over and over without a newline, and keeping
 * only the latest drawing is what makes the tail readable. Blank lines are reported but not
 * kept; in a tail they only take room.
 */
export class LogRing {
  private readonly maxLines: number;
  private readonly maxLineLength: number;
  private entries: Entry[] = [];
  private readonly streams: Record<LogStream, StreamState> = {
    stdout: { open: undefined, pendingCr: false },
    stderr: { open: undefined, pendingCr: false },
  };

  constructor(options: LogRingOptions = {}) {
    this.maxLines = Math.max(1, options.maxLines ?? 500);
    this.maxLineLength = Math.max(1, options.maxLineLength ?? 4000);
  }

  /** Adds decoded output; returns the lines it completed, in order. */
  write(stream: LogStream, text: string): LogLine[] {
    const state = this.streams[stream];
    const out: LogLine[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      if (i > start) this.append(stream, state, text.slice(start, i), out);
      start = i + 1;
      if (ch === 10) {
        // `\r\n` is a plain line end, not a redraw.
        state.pendingCr = false;
        this.commit(stream, state, out);
      } else {
        if (state.pendingCr) this.resolveRewrite(stream, state, out);
        state.pendingCr = true;
      }
    }
    if (start < text.length) this.append(stream, state, text.slice(start), out);
    return out;
  }

  /** The stream has ended: its unfinished line (the last bar drawing, say) becomes a complete line. */
  end(stream: LogStream): LogLine[] {
    const state = this.streams[stream];
    const out: LogLine[] = [];
    state.pendingCr = false;
    if (state.open) this.commit(stream, state, out);
    return out;
  }

  /** The last `n` lines (all kept lines when absent), of one stream if given, including unfinished ones. */
  tail(n?: number, stream?: LogStream): string[] {
    const lines: string[] = [];
    for (let i = this.entries.length - 1; i >= 0 && (n === undefined || lines.length < n); i--) {
      const entry = this.entries[i]!;
      if (stream && entry.stream !== stream) continue;
      if (entry.text === '' && !entry.truncated) continue;
      lines.push(render(entry));
    }
    return lines.reverse();
  }

  clear(): void {
    this.entries = [];
    for (const state of Object.values(this.streams)) {
      state.open = undefined;
      state.pendingCr = false;
    }
  }

  private append(stream: LogStream, state: StreamState, piece: string, out: LogLine[]): void {
    if (state.pendingCr) {
      state.pendingCr = false;
      this.resolveRewrite(stream, state, out);
    }
    let entry = state.open;
    if (!entry) {
      entry = { stream, text: '', truncated: false };
      state.open = entry;
      this.push(entry);
    }
    if (entry.truncated) return;
    const room = this.maxLineLength - entry.text.length;
    if (piece.length > room) {
      entry.text += piece.slice(0, room);
      entry.truncated = true;
    } else {
      entry.text += piece;
    }
  }

  /** A `\r` followed by something other than `\n`: the drawing so far is complete and the next one replaces it. */
  private resolveRewrite(stream: LogStream, state: StreamState, out: LogLine[]): void {
    const entry = state.open;
    if (!entry) return;
    if (entry.text !== '' || entry.truncated) out.push({ stream, line: render(entry), progress: true });
    entry.text = '';
    entry.truncated = false;
    // Keep the bar where the newest output is, not where it was first drawn.
    const index = this.entries.lastIndexOf(entry);
    if (index !== this.entries.length - 1) {
      if (index >= 0) this.entries.splice(index, 1);
      this.push(entry);
    }
  }

  private commit(stream: LogStream, state: StreamState, out: LogLine[]): void {
    const entry = state.open;
    state.open = undefined;
    out.push({ stream, line: entry ? render(entry) : '', progress: false });
    if (entry && entry.text === '' && !entry.truncated) {
      const index = this.entries.lastIndexOf(entry);
      if (index >= 0) this.entries.splice(index, 1);
    }
  }

  private push(entry: Entry): void {
    this.entries.push(entry);
    if (this.entries.length > this.maxLines) this.entries.splice(0, this.entries.length - this.maxLines);
  }
}

function render(entry: Entry): string {
  return entry.truncated ? `${entry.text}…` : entry.text;
}
