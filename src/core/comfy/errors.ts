import { AppError } from '../util/errors';
import type { ComfyErrorDetail, ExecutionError, NodeErrors } from './protocol';

/** ComfyUI does not answer at its address. */
export class ComfyUnavailableError extends AppError {
  constructor(
    readonly url: string,
    cause?: unknown,
  ) {
    super('comfy_unavailable', `ComfyUI is not reachable at ${url}. Start it, or set its address in the settings.`, {
      cause,
      detail: cause instanceof Error ? cause.message : undefined,
    });
  }
}

/** ComfyUI answered a request with a status StudioNOVA did not expect. */
export class ComfyRequestError extends AppError {
  constructor(
    readonly route: string,
    readonly status: number,
    readonly body: string,
  ) {
    super('comfy_request_failed', `ComfyUI answered ${route} with HTTP ${status}.`, { detail: body.slice(0, 500) });
  }
}

/** POST /prompt refused the workflow (HTTP 400): the message lists each node's errors. */
export class ComfyValidationError extends AppError {
  constructor(
    readonly error: ComfyErrorDetail,
    readonly nodeErrors: NodeErrors,
  ) {
    super('comfy_validation', `ComfyUI refused the workflow: ${describeValidation(error, nodeErrors)}`);
  }
}

/** A prompt failed while running (`execution_error`). */
export class ComfyExecutionError extends AppError {
  readonly outOfMemory: boolean;

  constructor(readonly execution: ExecutionError) {
    const outOfMemory = isOutOfMemory(execution);
    const node = execution.node_type ? `${execution.node_type} (node ${execution.node_id ?? '?'})` : 'a node';
    const first = (execution.exception_message ?? 'unknown error').split('\n')[0];
    super(
      outOfMemory ? 'comfy_out_of_memory' : 'comfy_execution',
      outOfMemory
        ? `ComfyUI ran out of memory in ${node}. Try a smaller size, or a batch of 1.`
        : `ComfyUI failed in ${node}: ${first}`,
    );
    this.outOfMemory = outOfMemory;
  }
}

/** A template or workflow file cannot be used as it is. */
export class WorkflowError extends AppError {
  constructor(message: string) {
    super('workflow_invalid', message);
  }
}

/** The workflow names a model, sampler or node the running ComfyUI does not have. */
export class MissingInComfyError extends AppError {
  constructor(readonly missing: readonly string[]) {
    super('comfy_missing', `The running ComfyUI lacks what the workflow needs:\n${missing.map((m) => `- ${m}`).join('\n')}`);
  }
}

/** The torch exception type, or the words torch and other backends use. */
export function isOutOfMemory(execution: Pick<ExecutionError, 'exception_type' | 'exception_message'>): boolean {
  return (
    (execution.exception_type ?? '').endsWith('OutOfMemoryError') ||
    /out of memory|Allocation on device/i.test(execution.exception_message ?? '')
  );
}

function describeValidation(error: ComfyErrorDetail, nodeErrors: NodeErrors): string {
  const lines = Object.entries(nodeErrors).flatMap(([id, node]) =>
    node.errors.map((e) => `${node.class_type ?? 'node'} (node ${id}): ${e.details ? e.details : e.message}`),
  );
  return lines.length > 0 ? lines.join('; ') : `${error.message}${error.details ? ` (${error.details})` : ''}`;
}
