import * as z from 'zod/mini';

/**
 * The parts of Ollama's replies StudioNOVA reads (shared/reference/ollama-api.md). Loose
 * objects, and optional wherever Ollama leaves a field out (`omitempty` metrics, fields older
 * servers lack), so a newer or older server does not break us.
 */

export const versionSchema = z.looseObject({ version: z.string() });

const modelDetails = z.looseObject({
  family: z.optional(z.string()),
  // null on some servers, not just absent
  families: z.optional(z.nullable(z.array(z.string()))),
  parameter_size: z.optional(z.string()),
  quantization_level: z.optional(z.string()),
});

export const tagsSchema = z.looseObject({
  models: z.array(
    z.looseObject({
      name: z.string(),
      digest: z.string(),
      size: z.optional(z.number()),
      modified_at: z.optional(z.string()),
      details: z.optional(modelDetails),
    }),
  ),
});
export type Tags = z.infer<typeof tagsSchema>;

export const showSchema = z.looseObject({
  // Since v0.6.4; projector (llava-style) models report `vision` only since v0.6.8.
  capabilities: z.optional(z.nullable(z.array(z.string()))),
  details: z.optional(modelDetails),
  model_info: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  projector_info: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
});
export type ShowReply = z.infer<typeof showSchema>;

const metrics = {
  done_reason: z.optional(z.string()),
  total_duration: z.optional(z.number()),
  load_duration: z.optional(z.number()),
  prompt_eval_count: z.optional(z.number()),
  prompt_eval_duration: z.optional(z.number()),
  eval_count: z.optional(z.number()),
  eval_duration: z.optional(z.number()),
};

/** One line of a /api/chat stream, the final one, or a mid-stream `{"error": …}` line. */
export const chatLineSchema = z.looseObject({
  message: z.optional(
    z.looseObject({
      content: z.optional(z.string()),
      thinking: z.optional(z.string()),
    }),
  ),
  done: z.optional(z.boolean()),
  error: z.optional(z.string()),
  ...metrics,
});
export type ChatLine = z.infer<typeof chatLineSchema>;

/** The body of every error reply: `{"error": "<text>"}`. */
export const errorBodySchema = z.looseObject({ error: z.string() });
