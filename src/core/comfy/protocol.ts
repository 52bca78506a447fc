import * as z from 'zod/mini';

/**
 * The parts of ComfyUI's replies StudioNOVA reads, as ComfyUI 0.3.64 sends them
 * (shared/reference/comfyui-api.md). Loose objects: a newer ComfyUI adds fields, and that must
 * not break us.
 */

export const systemStatsSchema = z.looseObject({
  system: z.looseObject({
    os: z.string(),
    comfyui_version: z.string(),
    python_version: z.string(),
    pytorch_version: z.string(),
    ram_total: z.number(),
    ram_free: z.number(),
  }),
  devices: z.array(
    z.looseObject({
      name: z.string(),
      type: z.string(),
      vram_total: z.number(),
      vram_free: z.number(),
    }),
  ),
});
export type SystemStats = z.infer<typeof systemStatsSchema>;

/** One input of a node in /object_info: `[TYPE]`, `[TYPE, options]` or a V1 combo `[[choices], options]`. */
const inputSpec = z.array(z.unknown());
export const nodeDefinitionSchema = z.looseObject({
  input: z.looseObject({
    required: z.optional(z.record(z.string(), inputSpec)),
    optional: z.optional(z.record(z.string(), inputSpec)),
  }),
  output: z.optional(z.array(z.unknown())),
  output_node: z.optional(z.boolean()),
  display_name: z.optional(z.string()),
});
export type NodeDefinition = z.infer<typeof nodeDefinitionSchema>;
export const objectInfoSchema = z.record(z.string(), nodeDefinitionSchema);
export type ObjectInfo = z.infer<typeof objectInfoSchema>;

const errorDetail = z.looseObject({
  type: z.string(),
  message: z.string(),
  details: z.optional(z.string()),
  extra_info: z.optional(z.looseObject({ input_name: z.optional(z.string()), received_value: z.optional(z.unknown()) })),
});
export type ComfyErrorDetail = z.infer<typeof errorDetail>;

export const nodeErrorsSchema = z.record(
  z.string(),
  z.looseObject({ errors: z.array(errorDetail), class_type: z.optional(z.string()) }),
);
export type NodeErrors = z.infer<typeof nodeErrorsSchema>;

export const promptAcceptedSchema = z.looseObject({
  prompt_id: z.string(),
  number: z.number(),
  node_errors: z.optional(nodeErrorsSchema),
});

export const promptRejectedSchema = z.looseObject({
  error: errorDetail,
  node_errors: z.optional(nodeErrorsSchema),
});

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute, …]`: read by position. */
const queueItem = z.array(z.unknown());
export const queueSchema = z.looseObject({ queue_running: z.array(queueItem), queue_pending: z.array(queueItem) });

export const imageRefSchema = z.looseObject({ filename: z.string(), subfolder: z.string(), type: z.string() });
export type ImageRef = z.infer<typeof imageRefSchema>;

export const historyEntrySchema = z.looseObject({
  outputs: z.record(z.string(), z.looseObject({ images: z.optional(z.array(imageRefSchema)) })),
  status: z.looseObject({
    status_str: z.string(),
    completed: z.boolean(),
    messages: z.array(z.tuple([z.string(), z.unknown()])),
  }),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** The WebSocket's text frames: `{type, data}`. */
export const socketMessageSchema = z.looseObject({ type: z.string(), data: z.optional(z.unknown()) });

export const executionErrorSchema = z.looseObject({
  prompt_id: z.string(),
  node_id: z.optional(z.string()),
  node_type: z.optional(z.string()),
  exception_message: z.optional(z.string()),
  exception_type: z.optional(z.string()),
});
export type ExecutionError = z.infer<typeof executionErrorSchema>;
