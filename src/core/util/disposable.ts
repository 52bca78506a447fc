/** Anything that releases resources; `vscode.Disposable` satisfies it. */
export interface DisposableLike {
  dispose(): void;
}

/**
 * Owns disposables and releases them together. Adding to a store that is already disposed
 * disposes the newcomer at once, so late registrations cannot leak.
 */
export class DisposableStore implements DisposableLike {
  private readonly items = new Set<DisposableLike>();
  private disposed = false;

  add<T extends DisposableLike>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.add(item);
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const items = [...this.items].reverse();
    this.items.clear();
    for (const item of items) item.dispose();
  }
}

export function toDisposable(dispose: () => void): DisposableLike {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      dispose();
    },
  };
}
