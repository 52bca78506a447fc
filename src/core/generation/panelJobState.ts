import { finishedStatuses, fractionDone, type GenerationJob } from './generationJob';

/** Where a panel's latest request stands: what its Generate lens says. */
export interface PanelJobState {
  readonly kind: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  /** 0–100 over every image of the request. */
  readonly percent: number;
  /** Images finished (any way) and asked for. */
  readonly finished: number;
  readonly total: number;
  readonly failed: number;
  readonly jobs: readonly GenerationJob[];
}

/**
 * The state of the latest request made for a page's panel, or undefined when it has none. A
 * request is running once any of its images runs or is done, failed when any failed, cancelled when it
 * ended without an image.
 */
export function panelJobState(jobs: readonly GenerationJob[], chapter: number, page: number, panel: number): PanelJobState | undefined {
  let latest: string | undefined;
  for (const job of jobs) {
    const target = job.request.target;
    if (target.kind === 'page' && target.chapter === chapter && target.page === page && target.panel === panel) latest = job.requestId;
  }
  if (!latest) return undefined;
  const mine = jobs.filter((job) => job.requestId === latest);
  const finished = mine.filter((job) => finishedStatuses.has(job.status)).length;
  const failed = mine.filter((job) => job.status === 'failed').length;
  const completed = mine.filter((job) => job.status === 'completed').length;
  const percent = Math.round((mine.reduce((sum, job) => sum + fractionDone(job), 0) / mine.length) * 100);
  const kind =
    finished < mine.length
      ? finished > 0 || mine.some((job) => job.status === 'running' || job.status === 'saving')
        ? 'running'
        : 'queued'
      : failed > 0
        ? 'failed'
        : completed === 0
          ? 'cancelled'
          : 'done';
  return { kind, percent, finished, total: mine.length, failed, jobs: mine };
}
