import { formatDuration } from './formatDuration';

export interface RestartPolicyOptions {
  /** Pause before the first restart. Default 1 s. */
  readonly initialDelayMs?: number;
  /** The pause doubles (by `factor`) with each restart in a row, up to this. Default 30 s. */
  readonly maxDelayMs?: number;
  /** Default 2. */
  readonly factor?: number;
  /** This many crashes within `windowMs` is a crash loop: no more restarts. Default 3. */
  readonly maxCrashes?: number;
  /** Default 2 minutes. */
  readonly windowMs?: number;
  /**
   * A process that stayed ready this long before it crashed counts as having recovered: the
   * next pause starts again from `initialDelayMs`. Default `windowMs`.
   */
  readonly stableMs?: number;
  /**
   * Restarts in a row without a stable run before giving up. Catches the slow loop the window
   * misses: a start that takes longer than `windowMs` to fail. Default 10.
   */
  readonly maxAttempts?: number;
}

export type RestartDecision =
  | { readonly kind: 'restart'; readonly attempt: number; readonly delayMs: number }
  | { readonly kind: 'give-up'; readonly reason: string };

/**
 * Decides whether a crashed process is started again and after how long: exponential backoff
 * with a cap, and crash-loop detection, as systemd's `StartLimitBurst`/`RestartSec` pair does.
 * Pure apart from the injected `now`, so tests need no timers.
 */
export class RestartPolicy {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly factor: number;
  private readonly maxCrashes: number;
  private readonly windowMs: number;
  private readonly stableMs: number;
  private readonly maxAttempts: number;
  private crashes: number[] = [];
  private attempt = 0;

  constructor(
    options: RestartPolicyOptions,
    private readonly now: () => number,
  ) {
    this.initialDelayMs = Math.max(0, options.initialDelayMs ?? 1000);
    this.maxDelayMs = Math.max(this.initialDelayMs, options.maxDelayMs ?? 30_000);
    this.factor = Math.max(1, options.factor ?? 2);
    this.maxCrashes = Math.max(1, options.maxCrashes ?? 3);
    this.windowMs = Math.max(0, options.windowMs ?? 120_000);
    this.stableMs = Math.max(0, options.stableMs ?? this.windowMs);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 10);
  }

  /**
   * Records a crash (an unexpected exit, or a restart that did not become ready).
   * `readyForMs`: how long the process had been ready before it crashed; undefined if it never was.
   */
  recordCrash(readyForMs?: number): RestartDecision {
    const now = this.now();
    if (readyForMs !== undefined && readyForMs >= this.stableMs) this.attempt = 0;
    this.crashes = this.crashes.filter((at) => now - at < this.windowMs);
    this.crashes.push(now);
    if (this.crashes.length >= this.maxCrashes) {
      return { kind: 'give-up', reason: `crashed ${this.crashes.length} times within ${formatDuration(this.windowMs)}` };
    }
    if (this.attempt >= this.maxAttempts) {
      return { kind: 'give-up', reason: `failed ${this.attempt} restarts in a row` };
    }
    this.attempt++;
    const delayMs = Math.min(this.maxDelayMs, this.initialDelayMs * this.factor ** (this.attempt - 1));
    return { kind: 'restart', attempt: this.attempt, delayMs };
  }

  /** Forgets the history: a start the user asked for deserves a fresh budget. */
  reset(): void {
    this.crashes = [];
    this.attempt = 0;
  }
}
