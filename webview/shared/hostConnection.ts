import {
  type CommandType,
  type Envelope,
  type NotificationType,
  type RequestType,
  envelopeSchema,
  parseMessage,
} from '../../src/shared/protocol/ipc';

/** A request the host answered with `ok: false`, or whose answer did not match the contract. */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** What a panel needs to talk to the host; panels take this, so their logic runs against a fake in Node. */
export interface HostClient {
  request<P, R>(type: RequestType<string, P, R>, params: P): Promise<R>;
  command<P>(type: CommandType<string, P>, params: P): void;
  onNotification<P>(type: NotificationType<string, P>, handler: (params: P) => void): () => void;
}

interface PendingRequest {
  readonly method: string;
  settle(envelope: Envelope): void;
  fail(error: RequestError): void;
}

interface NotificationRoute {
  readonly type: NotificationType<string, unknown>;
  readonly handlers: Set<(params: unknown) => void>;
}

/** A host that never answers must not leave callers (and their in-flight bookkeeping) waiting forever. */
const requestTimeoutMs = 30_000;

/**
 * The webview end of the envelope protocol, free of DOM and `acquireVsCodeApi` so it is tested in Node:
 * correlates replies by id, validates every incoming message with the contract's schemas, and never throws
 * out of `receive` — a bad message is reported through `warn` and dropped.
 */
export class HostConnection implements HostClient {
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly routes = new Map<string, NotificationRoute>();

  constructor(
    private readonly post: (message: Envelope) => void,
    private readonly warn: (message: string) => void,
    private readonly timeoutMs = requestTimeoutMs,
  ) {}

  request<P, R>(type: RequestType<string, P, R>, params: P): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError('timeout', `${type.method} got no answer`));
      }, this.timeoutMs);
      this.pending.set(id, {
        method: type.method,
        settle: (envelope) => {
          clearTimeout(timer);
          if (envelope.ok !== true) {
            reject(new RequestError(envelope.error?.code ?? 'error', envelope.error?.message ?? `${type.method} failed`));
            return;
          }
          const result = type.result.safeParse(envelope.result);
          if (result.success) {
            resolve(result.data);
          } else {
            const message = `bad result for ${type.method}: ${result.error.issues[0]?.message ?? ''}`;
            this.warn(message);
            reject(new RequestError('bad_result', message));
          }
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.post({ v: 1, kind: 'req', id, method: type.method, params });
    });
  }

  command<P>(type: CommandType<string, P>, params: P): void {
    this.post({ v: 1, kind: 'cmd', method: type.method, params });
  }

  onNotification<P>(type: NotificationType<string, P>, handler: (params: P) => void): () => void {
    let route = this.routes.get(type.method);
    if (!route) {
      route = { type: type as NotificationType<string, unknown>, handlers: new Set() };
      this.routes.set(type.method, route);
    }
    const erased = handler as (params: unknown) => void;
    route.handlers.add(erased);
    return () => route.handlers.delete(erased);
  }

  /** Handles one message from the host (the `data` of a window `message` event). */
  receive(data: unknown): void {
    const parsed = envelopeSchema.safeParse(data);
    if (!parsed.success) {
      this.warn('ignored a message that is not a StudioNOVA envelope');
      return;
    }
    const envelope = parsed.data;
    if (envelope.kind === 'res') {
      this.receiveReply(envelope);
    } else if (envelope.kind === 'ntf') {
      this.receiveNotification(envelope, data);
    } else {
      this.warn(`ignored a ${envelope.kind} message from the host: ${envelope.method}`);
    }
  }

  /** Fails every request still waiting, e.g. when the panel goes away. */
  dispose(): void {
    for (const request of this.pending.values()) request.fail(new RequestError('disposed', `${request.method} was abandoned`));
    this.pending.clear();
  }

  private receiveReply(envelope: Envelope): void {
    const request = envelope.id === undefined ? undefined : this.pending.get(envelope.id);
    if (!request || request.method !== envelope.method) {
      this.warn(`ignored a reply to no pending request: ${envelope.method} #${envelope.id ?? '?'}`);
      return;
    }
    this.pending.delete(envelope.id as number);
    request.settle(envelope);
  }

  private receiveNotification(envelope: Envelope, data: unknown): void {
    const route = this.routes.get(envelope.method);
    if (!route) {
      this.warn(`ignored an unknown notification: ${envelope.method}`);
      return;
    }
    const message = parseMessage(route.type, data);
    if (!message.ok) {
      this.warn(`ignored ${envelope.method}: ${message.error}`);
      return;
    }
    for (const handler of [...route.handlers]) {
      try {
        handler(message.params);
      } catch (error) {
        this.warn(`${envelope.method} handler failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
