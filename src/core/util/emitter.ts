import type { DisposableLike } from './disposable';

/** A subscribable event; shaped like `vscode.Event` so the host can pass it straight through. */
export type EventLike<T> = (listener: (value: T) => void) => DisposableLike;

export class Emitter<T> implements DisposableLike {
  private listeners: Array<(value: T) => void> = [];

  readonly event: EventLike<T> = (listener) => {
    this.listeners.push(listener);
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  };

  fire(value: T): void {
    // A copy, so a listener that unsubscribes while being called does not skip its neighbour.
    for (const listener of [...this.listeners]) listener(value);
  }

  dispose(): void {
    this.listeners = [];
  }
}
