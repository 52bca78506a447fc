/** The part of `fetch` a probe needs; the global `fetch` satisfies it. */
export type ProbeFetch = (
  url: string,
  init: { readonly signal: AbortSignal },
) => Promise<{ readonly ok: boolean; readonly body?: { cancel(): Promise<void> } | null }>;

/**
 * A readiness probe that is true once `url` answers 2xx, e.g. ComfyUI's `/system_stats`
 * (cheap, unlike `/object_info`). Each request is cut off after `timeoutMs`, so a server that
 * accepts connections but hangs cannot stall the start beyond its own timeout.
 */
export function httpProbe(
  url: string,
  fetchFn: ProbeFetch = fetch,
  timeoutMs = 2000,
): (signal: AbortSignal) => Promise<boolean> {
  return async (signal) => {
    try {
      const response = await fetchFn(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
      // Release the connection; only the status matters.
      await response.body?.cancel().catch(() => {});
      return response.ok;
    } catch {
      return false;
    }
  };
}
