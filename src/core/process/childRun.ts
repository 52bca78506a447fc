import type { Readable } from 'node:stream';
import type { Clock } from './clock';
import type { LogLine, LogRing, LogStream } from './logRing';
import type { ChildProcessLike } from './spawn';

/** How a child ended. `error` is set when it never ran (the program or folder was not found). */
export interface ChildExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

export interface ChildRunHooks {
  onLine(line: LogLine): void;
  /** Runs once the exit is seen and before `exited` resolves: the place to sweep up the rest of the tree. */
  afterExit(exit: ChildExit): Promise<void>;
  /** An 'error' that is not an exit, e.g. a failed kill. */
  onError(error: Error): void;
}

/**
 * One spawned child: its output fed line by line into the ring, and its end observed exactly
 * once, whichever of 'exit' and 'error' comes first (Jupyter's `exitEventFired`). Node may
 * deliver the last output after 'exit', so `exited` waits for both streams to end, but only
 * `drainMs`: a grandchild that inherited the pipes would otherwise hold them open forever.
 */
export class ChildRun {
  readonly pid: number | undefined;
  /** What the supervisor is doing with this child; decides who handles its exit. */
  status: 'starting' | 'ready' | 'stopping' = 'starting';
  readyAt: number | undefined;
  /** Set as soon as the exit is seen, before `exited` resolves. */
  exit: ChildExit | undefined;
  readonly exited: Promise<ChildExit>;
  /** The one termination in progress (stop, or a start timeout), shared by whoever asks. */
  terminating: Promise<void> | undefined;
  /** The readiness log line has been printed, and who waits for it. */
  logLineSeen = false;
  onLogLineSeen: (() => void) | undefined;

  private resolveExited: (exit: ChildExit) => void = () => {};
  private openStreams = 0;
  private settled = false;
  private onStreamsEnded: (() => void) | undefined;
  private readonly streams: Readable[] = [];

  constructor(
    readonly child: ChildProcessLike,
    private readonly ring: LogRing,
    private readonly hooks: ChildRunHooks,
    private readonly clock: Clock,
    private readonly drainMs: number,
  ) {
    this.pid = child.pid;
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.watch('stdout', child.stdout);
    this.watch('stderr', child.stderr);
    child.on('exit', (exitCode, signal) => this.observeExit({ exitCode, signal }));
    child.on('error', (error) => {
      // Without a pid the program never ran, and Node sends no 'exit' after this 'error'.
      if (this.pid === undefined) this.observeExit({ exitCode: null, signal: null, error });
      else hooks.onError(error);
    });
  }

  private watch(stream: LogStream, readable: Readable | null): void {
    if (!readable) return;
    this.streams.push(readable);
    this.openStreams++;
    let ended = false;
    const onEnd = (): void => {
      // After settling, the ring may already hold the next run's output: leave it alone.
      if (ended || this.settled) return;
      ended = true;
      for (const line of this.ring.end(stream)) this.hooks.onLine(line);
      if (--this.openStreams === 0) this.onStreamsEnded?.();
    };
    readable.setEncoding('utf8');
    readable.on('data', (chunk: string | Buffer) => {
      if (this.settled) return;
      for (const line of this.ring.write(stream, String(chunk))) this.hooks.onLine(line);
    });
    readable.on('end', onEnd);
    readable.on('close', onEnd);
    readable.on('error', onEnd);
  }

  private observeExit(exit: ChildExit): void {
    if (this.exit) return;
    this.exit = exit;
    void this.settle(exit);
  }

  private async settle(exit: ChildExit): Promise<void> {
    try {
      await this.hooks.afterExit(exit);
    } catch (error) {
      this.hooks.onError(error instanceof Error ? error : new Error(String(error)));
    }
    await this.streamsEnded();
    for (const stream of ['stdout', 'stderr'] as const) for (const line of this.ring.end(stream)) this.hooks.onLine(line);
    this.settled = true;
    // Release our ends of the pipes even if a straggler still holds the other end.
    for (const readable of this.streams) readable.destroy();
    this.resolveExited(exit);
  }

  private streamsEnded(): Promise<void> {
    if (this.openStreams === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(done, this.drainMs);
      this.onStreamsEnded = done;
      function done(): void {
        timer.dispose();
        resolve();
      }
    });
  }
}
