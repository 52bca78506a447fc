import type { DisposableLike } from './disposable';

export interface DebouncedTaskOptions {
  /** How long requests must pause before the task runs: one run per burst. */
  readonly delayMs: number;
  /** A hold that is never released stops holding after this long. */
  readonly longestHoldMs: number;
  readonly run: () => void;
  /** Told when a hold ran out before it was released. */
  readonly holdExpired?: () => void;
}

/**
 * Runs a task once a burst of requests has paused, and can be held: while any hold is in place
 * requests only mark the task as owed, and the release of the last hold schedules it once. A
 * writer that knows what it changes holds the task for the length of its writes, so a task that
 * competes with them for the disk (a refresh walking the whole folder) runs once, after them.
 */
export class DebouncedTask implements DisposableLike {
  private timer: NodeJS.Timeout | undefined;
  private holds = 0;
  private owed = false;

  constructor(private readonly options: DebouncedTaskOptions) {}

  request(): void {
    if (this.holds > 0) {
      this.owed = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.options.run();
    }, this.options.delayMs);
  }

  /** Holds the task until the returned disposable is disposed (disposing twice releases once). */
  hold(): DisposableLike {
    this.holds++;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.owed = true;
    }
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      clearTimeout(expiry);
      this.holds--;
      if (this.holds === 0 && this.owed) {
        this.owed = false;
        this.request();
      }
    };
    const expiry = setTimeout(() => {
      this.options.holdExpired?.();
      release();
    }, this.options.longestHoldMs);
    return { dispose: release };
  }

  /** Drops a scheduled or owed run; holds in place stay held. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.owed = false;
  }

  dispose(): void {
    this.cancel();
  }
}
