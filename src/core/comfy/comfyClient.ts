import type * as z from 'zod/mini';
import { ComfyRequestError, ComfyUnavailableError, ComfyValidationError } from './errors';
import {
  type HistoryEntry,
  historyEntrySchema,
  type ImageRef,
  type NodeErrors,
  type ObjectInfo,
  objectInfoSchema,
  promptAcceptedSchema,
  promptRejectedSchema,
  queueSchema,
  type SystemStats,
  systemStatsSchema,
} from './protocol';

export type ApiWorkflow = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: { title?: string } }>;

export interface SubmitRequest {
  readonly workflow: ApiWorkflow;
  /** The WebSocket's clientId: ComfyUI sends this prompt's events only there. */
  readonly clientId: string;
  /** Chosen by us, so events can be matched before the POST even returns. */
  readonly promptId: string;
}

export interface Submitted {
  readonly promptId: string;
  readonly number: number;
  /** Outputs ComfyUI dropped while accepting the others (a 200 can carry errors). */
  readonly nodeErrors: NodeErrors;
}

export interface QueueState {
  readonly running: string[];
  /** In run order (ComfyUI sends its heap, unsorted). */
  readonly pending: string[];
}

type Fetch = typeof fetch;

/** Cheap requests answer in milliseconds; a silent server is as good as a dead one. */
const quickTimeoutMs = 5_000;
/** /object_info scans every model folder: slow on a large install. */
const objectInfoTimeoutMs = 60_000;

/** ComfyUI's HTTP API, one method per route StudioNOVA uses. */
export class ComfyClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly fetchImpl: Fetch = fetch,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  get url(): string {
    return this.base;
  }

  /** The WebSocket address for a client id. */
  socketUrl(clientId: string): string {
    return `${this.base.replace(/^http/, 'ws')}/ws?clientId=${encodeURIComponent(clientId)}`;
  }

  systemStats(signal?: AbortSignal): Promise<SystemStats> {
    return this.getJson('/system_stats', systemStatsSchema, withTimeout(signal, quickTimeoutMs));
  }

  objectInfo(signal?: AbortSignal): Promise<ObjectInfo> {
    return this.getJson('/object_info', objectInfoSchema, withTimeout(signal, objectInfoTimeoutMs));
  }

  async submit(request: SubmitRequest, signal?: AbortSignal): Promise<Submitted> {
    const body = JSON.stringify({
      prompt: request.workflow,
      client_id: request.clientId,
      prompt_id: request.promptId,
      // SaveImage embeds this as the PNG's `workflow` chunk; the API graph goes in as `prompt`.
      extra_data: { extra_pnginfo: { studionova: { promptId: request.promptId } } },
    });
    const response = await this.request('/prompt', { method: 'POST', body, headers: { 'Content-Type': 'application/json' }, signal: withTimeout(signal, quickTimeoutMs) });
    const text = await response.text();
    if (response.status === 400) {
      const rejected = promptRejectedSchema.safeParse(parseJsonOrUndefined(text));
      if (rejected.success) throw new ComfyValidationError(rejected.data.error, rejected.data.node_errors ?? {});
    }
    if (!response.ok) throw new ComfyRequestError('POST /prompt', response.status, text);
    const accepted = promptAcceptedSchema.parse(JSON.parse(text));
    return { promptId: accepted.prompt_id, number: accepted.number, nodeErrors: accepted.node_errors ?? {} };
  }

  async queue(signal?: AbortSignal): Promise<QueueState> {
    const queue = await this.getJson('/queue', queueSchema, withTimeout(signal, quickTimeoutMs));
    const ids = (items: unknown[][]): string[] =>
      [...items].sort((a, b) => Number(a[0]) - Number(b[0])).map((item) => String(item[1]));
    return { running: ids(queue.queue_running), pending: ids(queue.queue_pending) };
  }

  /** The finished prompt's record, or undefined when ComfyUI does not know the id (`{}`). */
  async history(promptId: string, signal?: AbortSignal): Promise<HistoryEntry | undefined> {
    const response = await this.getJson(`/history/${encodeURIComponent(promptId)}`, undefined, withTimeout(signal, quickTimeoutMs));
    const entry = (response as Record<string, unknown>)[promptId];
    return entry === undefined ? undefined : historyEntrySchema.parse(entry);
  }

  /** Removes prompts that have not started; a running one is left alone (see interrupt). */
  async deleteFromQueue(promptIds: readonly string[]): Promise<void> {
    await this.postEmpty('/queue', { delete: promptIds });
  }

  /** Interrupts `promptId` if it is the one running; ComfyUI ignores it otherwise. */
  async interrupt(promptId: string): Promise<void> {
    await this.postEmpty('/interrupt', { prompt_id: promptId });
  }

  /** The bytes of an output exactly as ComfyUI saved them, with its embedded prompt and workflow. */
  async view(image: ImageRef, signal?: AbortSignal): Promise<Uint8Array> {
    const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder, type: image.type });
    const response = await this.request(`/view?${query}`, { signal: withTimeout(signal, objectInfoTimeoutMs) });
    if (!response.ok) throw new ComfyRequestError('GET /view', response.status, await response.text());
    return new Uint8Array(await response.arrayBuffer());
  }

  private async postEmpty(route: string, body: unknown): Promise<void> {
    const response = await this.request(route, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(quickTimeoutMs) });
    if (!response.ok) throw new ComfyRequestError(`POST ${route}`, response.status, await response.text());
  }

  private async getJson<T>(route: string, schema: z.ZodMiniType<T> | undefined, signal: AbortSignal): Promise<T> {
    const response = await this.request(route, { signal });
    const text = await response.text();
    if (!response.ok) throw new ComfyRequestError(`GET ${route}`, response.status, text);
    const json = parseJsonOrUndefined(text);
    if (json === undefined) throw new ComfyRequestError(`GET ${route}`, response.status, `not JSON: ${text.slice(0, 200)}`);
    return schema ? schema.parse(json) : (json as T);
  }

  private async request(route: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(`${this.base}${route}`, init);
    } catch (error) {
      if (init.signal?.aborted && (init.signal.reason as Error | undefined)?.name === 'AbortError') throw error;
      throw new ComfyUnavailableError(this.base, error);
    }
  }
}

function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  return signal ? AbortSignal.any([signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms);
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
