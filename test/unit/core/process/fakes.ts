import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { sleepOn, type Clock } from '../../../../src/core/process/clock';
import type { KillTree, KillTreeOptions } from '../../../../src/core/process/killTree';
import type { ChildProcessLike, Spawn, SpawnOptionsLike } from '../../../../src/core/process/spawn';
import type { SupervisorState } from '../../../../src/core/process/supervisor';
import type { DisposableLike } from '../../../../src/core/util/disposable';

/** Lets stream events, promise chains and `setImmediate` callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly ms: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to; timers fire in time order, with promises settled between them. */
export class FakeClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): DisposableLike {
    const timer: Timer = { at: this.time + ms, seq: this.seq++, ms, callback, cancelled: false };
    this.timers.push(timer);
    return { dispose: () => (timer.cancelled = true) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** The delays (as scheduled) of the timers still pending. */
  pendingDelays(): number[] {
    return this.pending().map((timer) => timer.ms);
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      const next = this.pending().find((timer) => timer.at <= end);
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.time = next.at;
      next.callback();
      await settle();
    }
    this.time = end;
    await settle();
  }

  private pending(): Timer[] {
    this.timers = this.timers.filter((timer) => !timer.cancelled);
    return [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
}

/** A child process made of an EventEmitter and two PassThrough streams. */
export class FakeChild extends EventEmitter implements ChildProcessLike {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  /** Signals sent with `kill()` (the supervisor's fallback when killTree fails). */
  readonly killed: NodeJS.Signals[] = [];
  /** Pretend to be ComfyUI under a debugger: SIGTERM does nothing. */
  ignoreSigterm = false;
  exited = false;

  constructor(
    readonly pid: number | undefined,
    readonly command: string,
    readonly args: readonly string[],
    readonly options: SpawnOptionsLike,
  ) {
    super();
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.killed.push(signal);
    this.receive(signal);
    return true;
  }

  print(stream: 'stdout' | 'stderr', text: string): void {
    this[stream].write(text);
  }

  /** Ends the output and exits, as a real child does. */
  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (this.exited) return;
    this.exited = true;
    this.stdout.end();
    this.stderr.end();
    this.emit('exit', code, signal);
  }

  /** What a real process does with a signal, a moment later. */
  receive(signal: NodeJS.Signals): void {
    if (this.exited) return;
    if (signal === 'SIGTERM' && this.ignoreSigterm) return;
    setImmediate(() => this.exit(null, signal));
  }
}

/** Records spawns; `onSpawn` can script each child. */
export class FakeSpawn {
  readonly children: FakeChild[] = [];
  onSpawn: ((child: FakeChild) => void) | undefined;
  /** When set, the next spawn fails the way Node reports ENOENT: no pid, then an 'error'. */
  failNext: NodeJS.ErrnoException | undefined;
  private nextPid = 4000;

  readonly spawn: Spawn = (command, args, options) => {
    const failure = this.failNext;
    this.failNext = undefined;
    const child = new FakeChild(failure ? undefined : this.nextPid++, command, args, options);
    this.children.push(child);
    if (failure) {
      process.nextTick(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        child.emit('error', failure);
      });
    }
    this.onSpawn?.(child);
    return child;
  };

  get last(): FakeChild {
    const child = this.children.at(-1);
    if (!child) throw new Error('nothing was spawned');
    return child;
  }

  byPid(pid: number): FakeChild | undefined {
    return this.children.find((child) => child.pid === pid);
  }
}

export interface KillCall {
  readonly pid: number;
  readonly signal: NodeJS.Signals;
  readonly leaderExited: boolean;
}

/** A killTree that delivers the signal to the fake child with that pid and records the call. */
export function fakeKillTree(spawn: FakeSpawn): { killTree: KillTree; calls: KillCall[] } {
  const calls: KillCall[] = [];
  const killTree: KillTree = async (pid: number, signal: NodeJS.Signals, options?: KillTreeOptions) => {
    calls.push({ pid, signal, leaderExited: options?.leaderExited ?? false });
    if (!options?.leaderExited) spawn.byPid(pid)?.receive(signal);
  };
  return { killTree, calls };
}

/** Everything the supervisor reported, as short strings: `starting:launching`, `ready`, … */
export function describeState(state: SupervisorState): string {
  switch (state.kind) {
    case 'starting':
      return `starting:${state.phase}`;
    case 'unhealthy':
      return `unhealthy:${state.reason}`;
    default:
      return state.kind;
  }
}
