import * as z from 'zod/mini';

/**
 * The message envelope between the host and every webview, validated on both sides.
 *   cmd: webview → host, no reply      req/res: webview → host, reply correlated by id
 *   ntf: host → webview
 */
export const envelopeSchema = z.object({
  v: z.literal(1),
  kind: z.enum(['cmd', 'req', 'res', 'ntf']),
  id: z.optional(z.int()),
  method: z.string().check(z.minLength(1)),
  params: z.optional(z.unknown()),
  ok: z.optional(z.boolean()),
  result: z.optional(z.unknown()),
  error: z.optional(z.object({ code: z.string(), message: z.string() })),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export interface CommandType<M extends string, P> {
  readonly kind: 'cmd';
  readonly method: M;
  readonly params: z.ZodMiniType<P>;
}
export interface RequestType<M extends string, P, R> {
  readonly kind: 'req';
  readonly method: M;
  readonly params: z.ZodMiniType<P>;
  readonly result: z.ZodMiniType<R>;
}
export interface NotificationType<M extends string, P> {
  readonly kind: 'ntf';
  readonly method: M;
  readonly params: z.ZodMiniType<P>;
}

/** Methods are named `<panel>/<noun>/<verb>`, e.g. `gallery/images/list`. */
export function defineCommand<M extends string, P>(method: M, params: z.ZodMiniType<P>): CommandType<M, P> {
  return { kind: 'cmd', method, params };
}
export function defineRequest<M extends string, P, R>(method: M, params: z.ZodMiniType<P>, result: z.ZodMiniType<R>): RequestType<M, P, R> {
  return { kind: 'req', method, params, result };
}
export function defineNotification<M extends string, P>(method: M, params: z.ZodMiniType<P>): NotificationType<M, P> {
  return { kind: 'ntf', method, params };
}

/** Every webview says it is listening before the host sends anything. */
export const readyCommand = defineCommand('webview/ready', z.object({}));

export type Parsed<P> = { readonly ok: true; readonly params: P } | { readonly ok: false; readonly error: string };

/** Checks an incoming message against the type it claims to be; never throws. */
export function parseMessage<P>(type: { readonly kind: Envelope['kind']; readonly method: string; readonly params: z.ZodMiniType<P> }, message: unknown): Parsed<P> {
  const envelope = envelopeSchema.safeParse(message);
  if (!envelope.success) return { ok: false, error: 'not a StudioNOVA message' };
  if (envelope.data.kind !== type.kind || envelope.data.method !== type.method) return { ok: false, error: `expected ${type.kind} ${type.method}` };
  const params = type.params.safeParse(envelope.data.params ?? {});
  return params.success ? { ok: true, params: params.data } : { ok: false, error: `bad params for ${type.method}: ${params.error.issues[0]?.message ?? ''}` };
}
