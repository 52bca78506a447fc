import type { ApiWorkflow } from '../comfy/comfyClient';
import type { SavedOutput } from './outputWriter';
import type { GenerationRequest } from './request';

export type GenerationStatus = 'queued' | 'submitted' | 'running' | 'saving' | 'completed' | 'failed' | 'cancelled';

export const finishedStatuses: ReadonlySet<GenerationStatus> = new Set(['completed', 'failed', 'cancelled']);

/** One image of a request: one seed, one ComfyUI prompt. */
export interface GenerationJob {
  readonly id: string;
  readonly requestId: string;
  readonly request: GenerationRequest;
  readonly seed: number;
  /** The filled workflow, exactly as submitted and as saved beside the image. */
  readonly workflow: ApiWorkflow;
  status: GenerationStatus;
  promptId: string | undefined;
  /** The sampler's progress, and which node runs. */
  progress: { value: number; max: number } | undefined;
  node: string | undefined;
  /** The latest live preview, when ComfyUI sends them (--preview-method). */
  preview: { image: Uint8Array; mime: string } | undefined;
  outputs: SavedOutput[];
  error: { code: string; message: string } | undefined;
  readonly times: { enqueued: number; submitted?: number; started?: number; executed?: number; saved?: number };
}

/** What a job store keeps so a job survives a restart of the extension host. */
export interface JobRecord {
  readonly id: string;
  readonly requestId: string;
  readonly status: GenerationStatus;
  readonly promptId: string | undefined;
  readonly request: GenerationRequest;
  readonly seed: number;
  readonly workflow: ApiWorkflow;
  readonly outputs: readonly SavedOutput[];
  readonly error: string | undefined;
  readonly enqueuedAt: number;
}

/** Persistence for jobs (the index's jobs table in the extension; nothing in benchmarks). */
export interface JobStore {
  save(record: JobRecord): void;
  /** Jobs not finished when the last session ended, sent to ComfyUI or not. */
  unfinished(): JobRecord[];
}

export function toRecord(job: GenerationJob): JobRecord {
  return {
    id: job.id,
    requestId: job.requestId,
    status: job.status,
    promptId: job.promptId,
    request: job.request,
    seed: job.seed,
    workflow: job.workflow,
    outputs: job.outputs,
    error: job.error?.message,
    enqueuedAt: job.times.enqueued,
  };
}

/** 0 to 1 over the job's whole life, for progress bars. */
export function fractionDone(job: GenerationJob): number {
  switch (job.status) {
    case 'queued':
    case 'submitted':
      return 0;
    case 'running':
      return job.progress && job.progress.max > 0 ? Math.min(0.95, (job.progress.value / job.progress.max) * 0.95) : 0.02;
    case 'saving':
      return 0.97;
    default:
      return 1;
  }
}
