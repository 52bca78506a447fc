export interface Debounced {
  /** Runs the function `delayMs` after the last call to `schedule`. */
  schedule(): void;
  /** Runs it now if it is scheduled (e.g. before the webview is hidden and torn down). */
  flush(): void;
  cancel(): void;
}

export function debounce(run: () => void, delayMs: number): Debounced {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = (): void => {
    timer = undefined;
    run();
  };
  return {
    schedule() {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(fire, delayMs);
    },
    flush() {
      if (timer === undefined) return;
      clearTimeout(timer);
      fire();
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
