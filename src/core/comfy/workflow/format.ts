import type { ApiWorkflow } from '../comfyClient';
import { WorkflowError } from '../errors';

export const exportApiFormatHint =
  'In ComfyUI use Workflow → Export (API) — in older versions enable Dev mode in the settings, then "Save (API Format)" — and use that file.';

/**
 * Accepts a workflow in ComfyUI's API format (what POST /prompt takes), also wrapped as
 * `{"prompt": …}`. Refuses the UI format (`nodes` and `links`), which ComfyUI itself would
 * refuse with a confusing error, with a message that says how to export the right one.
 */
export function toApiWorkflow(json: unknown, source: string): ApiWorkflow {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new WorkflowError(`${source} is not a ComfyUI workflow: expected a JSON object.`);
  }
  const record = json as Record<string, unknown>;
  if (Array.isArray(record['nodes']) && Array.isArray(record['links'])) {
    throw new WorkflowError(`${source} is a ComfyUI UI workflow (a graph of nodes and links), not the API format. ${exportApiFormatHint}`);
  }
  const candidate = isApiWorkflow(record['prompt']) ? record['prompt'] : record;
  if (!isApiWorkflow(candidate)) {
    throw new WorkflowError(`${source} is not a ComfyUI API workflow: every entry needs "class_type" and "inputs". ${exportApiFormatHint}`);
  }
  return candidate;
}

function isApiWorkflow(value: unknown): value is ApiWorkflow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const nodes = Object.values(value);
  return (
    nodes.length > 0 &&
    nodes.every(
      (node) =>
        typeof node === 'object' &&
        node !== null &&
        typeof (node as Record<string, unknown>)['class_type'] === 'string' &&
        typeof (node as Record<string, unknown>)['inputs'] === 'object',
    )
  );
}

/** `["4", 1]`: output 1 of node "4". */
export function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}
