import WebSocket from 'ws';
import type { DisposableLike } from '../util/disposable';
import { Emitter, type EventLike } from '../util/emitter';
import { ComfyUnavailableError } from './errors';
import { executionErrorSchema, type ExecutionError, type ImageRef, imageRefSchema, socketMessageSchema } from './protocol';

/** What a prompt's WebSocket frames mean to a job. Frames of other prompts are dropped. */
export type PromptEvent =
  | { readonly kind: 'started'; readonly promptId: string }
  | { readonly kind: 'node'; readonly promptId: string; readonly node: string }
  | { readonly kind: 'progress'; readonly promptId: string; readonly node: string | undefined; readonly value: number; readonly max: number }
  | { readonly kind: 'preview'; readonly promptId: string | undefined; readonly image: Uint8Array; readonly mime: string }
  | { readonly kind: 'output'; readonly promptId: string; readonly node: string; readonly images: ImageRef[] }
  | { readonly kind: 'succeeded'; readonly promptId: string }
  | { readonly kind: 'failed'; readonly promptId: string; readonly error: ExecutionError }
  | { readonly kind: 'interrupted'; readonly promptId: string }
  /** `executing {node: null}`: ComfyUI has written the prompt's history; safe to read it. */
  | { readonly kind: 'finished'; readonly promptId: string };

/** How long ComfyUI has to send its first `status` frame after the upgrade. */
const handshakeTimeoutMs = 10_000;

/**
 * ComfyUI's WebSocket for one client id. `open` resolves only after the first `status` frame,
 * which proves the socket is registered: prompts posted before that would lose their events.
 */
export class ComfySocket implements DisposableLike {
  private readonly events = new Emitter<PromptEvent>();
  private readonly closed = new Emitter<{ code: number; reason: string }>();
  readonly onEvent: EventLike<PromptEvent> = this.events.event;
  /** Fires once when the connection ends, whoever ended it. */
  readonly onClose: EventLike<{ code: number; reason: string }> = this.closed.event;
  private closing = false;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    socket.on('close', (code, reason) => {
      this.closed.fire({ code, reason: reason.toString() });
      this.events.dispose();
      this.closed.dispose();
    });
  }

  static open(url: string, signal?: AbortSignal): Promise<ComfySocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { handshakeTimeout: handshakeTimeoutMs });
      const fail = (error: unknown): void => {
        cleanup();
        socket.terminate();
        reject(error instanceof Error && error.name === 'AbortError' ? error : new ComfyUnavailableError(url.replace(/^ws/, 'http').replace(/\/ws\?.*$/, ''), error));
      };
      const onAbort = (): void => fail(signal?.reason ?? new DOMException('Aborted', 'AbortError'));
      const timer = setTimeout(() => fail(new Error('no status frame after connecting')), handshakeTimeoutMs);
      const onFirst = (data: Buffer, isBinary: boolean): void => {
        if (isBinary) return;
        const message = socketMessageSchema.safeParse(safeJson(data.toString('utf8')));
        if (!message.success || message.data.type !== 'status') return;
        cleanup();
        resolve(new ComfySocket(socket));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('message', onFirst);
        socket.off('error', fail);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('message', onFirst);
      socket.on('error', fail);
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN && !this.closing;
  }

  dispose(): void {
    this.closing = true;
    this.socket.close();
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      const preview = parsePreview(data);
      if (preview) this.events.fire({ kind: 'preview', ...preview });
      return;
    }
    const message = socketMessageSchema.safeParse(safeJson(data.toString('utf8')));
    if (!message.success) return;
    const event = toPromptEvent(message.data.type, message.data.data);
    if (event) this.events.fire(event);
  }
}

/** Maps one text frame to a job event; frames that say nothing about a prompt give undefined. */
export function toPromptEvent(type: string, data: unknown): PromptEvent | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const record = data as Record<string, unknown>;
  const promptId = typeof record['prompt_id'] === 'string' ? record['prompt_id'] : undefined;
  if (!promptId) return undefined;
  switch (type) {
    case 'execution_start':
      return { kind: 'started', promptId };
    case 'executing':
      return record['node'] === null ? { kind: 'finished', promptId } : { kind: 'node', promptId, node: String(record['display_node'] ?? record['node']) };
    case 'progress':
      return { kind: 'progress', promptId, node: typeof record['node'] === 'string' ? record['node'] : undefined, value: Number(record['value']), max: Number(record['max']) };
    case 'executed': {
      const output = record['output'] as { images?: unknown[] } | null | undefined;
      const images = (output?.images ?? []).flatMap((image) => {
        const parsed = imageRefSchema.safeParse(image);
        return parsed.success ? [parsed.data] : [];
      });
      return { kind: 'output', promptId, node: String(record['display_node'] ?? record['node']), images };
    }
    case 'execution_success':
      return { kind: 'succeeded', promptId };
    case 'execution_error': {
      const error = executionErrorSchema.safeParse(record);
      return error.success ? { kind: 'failed', promptId, error: error.data } : undefined;
    }
    case 'execution_interrupted':
      return { kind: 'interrupted', promptId };
    default:
      return undefined;
  }
}

/**
 * Binary frames start with a big-endian event type: 1 is a preview (then a format word, JPEG = 1,
 * PNG = 2), 4 a preview with a JSON metadata block naming its prompt.
 */
export function parsePreview(data: Buffer): { promptId: string | undefined; image: Uint8Array; mime: string } | undefined {
  if (data.length < 8) return undefined;
  const type = data.readUInt32BE(0);
  if (type === 1) {
    return { promptId: undefined, image: new Uint8Array(data.subarray(8)), mime: data.readUInt32BE(4) === 2 ? 'image/png' : 'image/jpeg' };
  }
  if (type === 4) {
    const length = data.readUInt32BE(4);
    const meta = safeJson(data.subarray(8, 8 + length).toString('utf8')) as { prompt_id?: unknown; image_type?: unknown } | undefined;
    return {
      promptId: typeof meta?.prompt_id === 'string' ? meta.prompt_id : undefined,
      image: new Uint8Array(data.subarray(8 + length)),
      mime: typeof meta?.image_type === 'string' ? meta.image_type : 'image/jpeg',
    };
  }
  return undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
