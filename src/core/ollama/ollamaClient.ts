import { Buffer } from 'node:buffer';
import type * as z from 'zod/mini';
import { AppError, CancelledError } from '../util/errors';
import { OllamaModelNotFoundError, OllamaNotVisionModelError, OllamaRequestError, OllamaStreamError, OllamaUnavailableError } from './errors';
import { capabilitiesFromShow } from './modelCapabilities';
import { NdjsonLineError, ndjsonValues } from './ndjson';
import { type ChatLine, chatLineSchema, errorBodySchema, showSchema, tagsSchema, versionSchema } from './protocol';

/** The part of `fetch` the client needs; the global `fetch` satisfies it. */
export type OllamaFetch = (url: string, init: RequestInit) => Promise<Response>;

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
  /** PNG or JPEG bytes (convert other formats first); sent as bare base64. */
  readonly images?: readonly Uint8Array[];
}

/** Keys of Ollama's `options` StudioNOVA sets; Ollama ignores keys it does not know. */
export interface GenerationOptions {
  readonly temperature?: number;
  /** Token limit; the answer then ends with done_reason `length`. */
  readonly num_predict?: number;
  readonly num_ctx?: number;
  readonly seed?: number;
  readonly top_p?: number;
  readonly top_k?: number;
  readonly stop?: readonly string[];
}

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly options?: GenerationOptions;
  /** How long Ollama keeps the model loaded afterwards: seconds, or a Go duration such as "10m" (Ollama's default is 5m). */
  readonly keepAlive?: number | string;
}

/** The numbers of the final line. Durations are nanoseconds; Ollama leaves zeros out, so any may be missing. */
export interface ChatStats {
  readonly doneReason: string | undefined;
  readonly totalDurationNs: number | undefined;
  readonly loadDurationNs: number | undefined;
  readonly promptEvalCount: number | undefined;
  readonly promptEvalDurationNs: number | undefined;
  readonly evalCount: number | undefined;
  readonly evalDurationNs: number | undefined;
}

export interface InstalledModel {
  /** As Ollama lists it, with its tag: `llava:7b`. */
  readonly name: string;
  /** 64 hex digits; changes whenever the model's content does. */
  readonly digest: string;
  readonly sizeBytes: number | undefined;
  readonly family: string | undefined;
  readonly parameterSize: string | undefined;
  readonly quantization: string | undefined;
}

export interface VisionModel extends InstalledModel {
  readonly capabilities: readonly string[];
}

export interface DescribeImageRequest {
  readonly model: string;
  readonly image: Uint8Array;
  readonly prompt: string;
  readonly system?: string;
  readonly options?: GenerationOptions;
  readonly keepAlive?: number | string;
  /** Each piece of text as it arrives, for a caption that appears while it is written. */
  readonly onText?: (text: string) => void;
}

export interface ImageDescription {
  readonly text: string;
  readonly stats: ChatStats;
}

/** /api/version, /api/tags and /api/show answer in milliseconds; a silent server is as good as a dead one. */
const quickTimeoutMs = 10_000;

const noStats: ChatStats = {
  doneReason: undefined,
  totalDurationNs: undefined,
  loadDurationNs: undefined,
  promptEvalCount: undefined,
  promptEvalDurationNs: undefined,
  evalCount: undefined,
  evalDurationNs: undefined,
};

/**
 * Ollama's HTTP API (shared/reference/ollama-api.md), the routes StudioNOVA uses. Answers are
 * always streamed: a non-streamed reply sends its headers only when the whole answer is done,
 * and Node's fetch gives up waiting for headers after 300 s. Cancelling the signal closes the
 * connection, which is how Ollama learns to stop generating (it has no cancel route).
 */
export class OllamaClient {
  private readonly base: string;
  /** A digest names exact model content, so what it can do never goes stale. */
  private readonly capabilitiesByDigest = new Map<string, readonly string[]>();
  /** For describeImage's check; refreshed by every listVisionModels. */
  private readonly capabilitiesByName = new Map<string, readonly string[]>();

  constructor(
    url: string,
    private readonly fetchImpl: OllamaFetch = fetch,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  get url(): string {
    return this.base;
  }

  async version(signal?: AbortSignal): Promise<string> {
    return (await this.json('GET', '/api/version', undefined, versionSchema, signal)).version;
  }

  /** The models installed locally (/api/tags). */
  async listModels(signal?: AbortSignal): Promise<InstalledModel[]> {
    const tags = await this.json('GET', '/api/tags', undefined, tagsSchema, signal);
    return tags.models.map((m) => ({
      name: m.name,
      digest: m.digest,
      sizeBytes: m.size,
      family: m.details?.family,
      parameterSize: m.details?.parameter_size,
      quantization: m.details?.quantization_level,
    }));
  }

  /** What a model can do (/api/show `capabilities`, with the fallbacks older servers need). */
  async modelCapabilities(model: string, signal?: AbortSignal): Promise<readonly string[]> {
    const known = this.capabilitiesByName.get(model);
    if (known) return known;
    const capabilities = capabilitiesFromShow(await this.json('POST', '/api/show', { model }, showSchema, signal, model));
    this.capabilitiesByName.set(model, capabilities);
    return capabilities;
  }

  /**
   * Installed models that can see images. A text-only model given an image still answers, with
   * an invented description, so only these are offered for captions.
   */
  async listVisionModels(signal?: AbortSignal): Promise<VisionModel[]> {
    const installed = await this.listModels(signal);
    const described = await Promise.all(installed.map(async (model) => ({ model, capabilities: await this.capabilitiesOfInstalled(model, signal) })));
    this.capabilitiesByName.clear();
    for (const { model, capabilities } of described) if (capabilities) this.capabilitiesByName.set(model.name, capabilities);
    return described.flatMap(({ model, capabilities }) => (capabilities?.includes('vision') ? [{ ...model, capabilities }] : []));
  }

  /**
   * The answer to a conversation, piece by piece as Ollama writes it; the generator's return
   * value is the final line's numbers. Leaving the loop early (break) closes the connection,
   * so Ollama stops generating too.
   */
  async *chatStream(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<string, ChatStats, undefined> {
    const route = 'POST /api/chat';
    const response = await this.send('POST', '/api/chat', chatBody(request), signal, undefined);
    if (!response.ok) throw statusError(route, response.status, await this.readText(response, signal), request.model);
    const body = response.body;
    if (!body) throw new OllamaStreamError('ended-early', 'empty body');
    try {
      for await (const value of ndjsonValues(body)) {
        const line = readChatLine(value);
        // After HTTP 200 an error can only come as a line of its own, with no done line after it.
        if (line.error !== undefined) throw new OllamaStreamError('error-line', line.error);
        const text = line.message?.content;
        if (text) yield text;
        if (line.done) return statsOf(line);
      }
    } catch (error) {
      throw streamFailure(error, signal);
    } finally {
      await body.cancel().catch(() => undefined);
    }
    throw new OllamaStreamError('ended-early', 'no done line');
  }

  /**
   * Asks a vision model about one image and returns the whole answer; `onText` sees it as it
   * grows. Refuses a model that cannot see images, before sending anything.
   */
  async describeImage(request: DescribeImageRequest, signal?: AbortSignal): Promise<ImageDescription> {
    const capabilities = await this.modelCapabilities(request.model, signal);
    if (!capabilities.includes('vision')) throw new OllamaNotVisionModelError(request.model);
    const messages: ChatMessage[] = request.system ? [{ role: 'system', content: request.system }] : [];
    messages.push({ role: 'user', content: request.prompt, images: [request.image] });
    const stream = this.chatStream({ model: request.model, messages, options: request.options, keepAlive: request.keepAlive }, signal);
    let text = '';
    try {
      for (;;) {
        const next = await stream.next();
        if (next.done) return { text, stats: next.value };
        text += next.value;
        request.onText?.(next.value);
      }
    } catch (error) {
      await stream.return(noStats).catch(() => undefined); // onText threw: close the connection too
      throw error;
    }
  }

  private async capabilitiesOfInstalled(model: InstalledModel, signal: AbortSignal | undefined): Promise<readonly string[] | undefined> {
    const cached = this.capabilitiesByDigest.get(model.digest);
    if (cached) return cached;
    try {
      const capabilities = capabilitiesFromShow(await this.json('POST', '/api/show', { model: model.name }, showSchema, signal, model.name));
      this.capabilitiesByDigest.set(model.digest, capabilities);
      return capabilities;
    } catch (error) {
      if (error instanceof OllamaModelNotFoundError) return undefined; // removed between /api/tags and /api/show
      throw error;
    }
  }

  private async json<T>(method: 'GET' | 'POST', route: string, body: unknown, schema: z.ZodMiniType<T>, signal: AbortSignal | undefined, model?: string): Promise<T> {
    const name = `${method} ${route}`;
    const response = await this.send(method, route, body, signal, quickTimeoutMs);
    const text = await this.readText(response, signal);
    if (!response.ok) throw statusError(name, response.status, text, model);
    const parsed = schema.safeParse(parseJson(text));
    if (!parsed.success) throw new OllamaRequestError(name, response.status, text.slice(0, 200));
    return parsed.data;
  }

  private async send(method: 'GET' | 'POST', route: string, body: unknown, signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<Response> {
    const signals = [signal, timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs)].filter((s) => s !== undefined);
    try {
      return await this.fetchImpl(`${this.base}${route}`, {
        method,
        headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
      });
    } catch (error) {
      if (signal?.aborted) throw new CancelledError();
      throw new OllamaUnavailableError(this.base, error);
    }
  }

  private async readText(response: Response, signal: AbortSignal | undefined): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      if (signal?.aborted) throw new CancelledError();
      throw new OllamaUnavailableError(this.base, error);
    }
  }
}

function chatBody(request: ChatRequest): Record<string, unknown> {
  return {
    model: request.model,
    messages: request.messages.map((m) => ({
      role: m.role,
      content: m.content,
      ...(m.images && m.images.length > 0 ? { images: m.images.map(toBase64) } : {}),
    })),
    stream: true,
    // Thinking models think by default and would put their reasoning before the answer (reference trap 7).
    think: false,
    ...(request.options ? { options: request.options } : {}),
    ...(request.keepAlive !== undefined ? { keep_alive: request.keepAlive } : {}),
  };
}

/** Bare standard base64: a `data:` prefix makes Ollama answer 400 (reference trap 4). */
function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function readChatLine(value: unknown): ChatLine {
  const line = chatLineSchema.safeParse(value);
  if (!line.success) throw new OllamaStreamError('bad-line', JSON.stringify(value).slice(0, 200));
  return line.data;
}

function statsOf(line: ChatLine): ChatStats {
  return {
    doneReason: line.done_reason,
    totalDurationNs: line.total_duration,
    loadDurationNs: line.load_duration,
    promptEvalCount: line.prompt_eval_count,
    promptEvalDurationNs: line.prompt_eval_duration,
    evalCount: line.eval_count,
    evalDurationNs: line.eval_duration,
  };
}

/** 404 `model '…' not found` (or the older `…, try pulling it first`): match the status and the words, not the exact text. */
function statusError(route: string, status: number, body: string, model: string | undefined): AppError {
  const parsed = errorBodySchema.safeParse(parseJson(body));
  const serverText = parsed.success ? parsed.data.error : body.trim().slice(0, 500);
  if (status === 404 && model !== undefined && /not found/i.test(serverText) && parsed.success) return new OllamaModelNotFoundError(model, serverText);
  return new OllamaRequestError(route, status, serverText);
}

function streamFailure(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return new CancelledError();
  if (error instanceof AppError) return error;
  if (error instanceof NdjsonLineError) return new OllamaStreamError('bad-line', error.line.slice(0, 200), error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return new OllamaStreamError('connection-lost', `${error instanceof Error ? error.message : String(error)}${cause}`, error);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
