import type { DisposableLike } from '../util/disposable';
import { CancelledError } from '../util/errors';

/**
 * Time as the supervisors see it. Injected so that tests can move time forward by hand
 * instead of waiting for five-minute start timeouts.
 */
export interface Clock {
  /** Milliseconds since some fixed point; only differences matter. */
  now(): number;
  /** Runs `callback` once after `ms`; disposing the handle cancels it. */
  setTimeout(callback: () => void, ms: number): DisposableLike;
  /** Resolves after `ms`; rejects with `CancelledError` as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * `sleep` built on a clock's `setTimeout`, so that every clock (the system one and test fakes)
 * cancels the same way and never leaves a timer behind after an abort.
 */
export function sleepOn(clock: Pick<Clock, 'setTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new CancelledError());
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timer.dispose();
      reject(new CancelledError());
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    return { dispose: () => clearTimeout(handle) };
  },
  sleep(ms, signal) {
    return sleepOn(systemClock, ms, signal);
  },
};
