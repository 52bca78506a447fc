import type { JobStatus } from '../db/repositories/jobRepository';
import type { StudioIndex } from '../studio/studioIndex';
import type { GenerationStatus, JobRecord, JobStore } from './generationJob';

const kind = 'generate';

/** Generation jobs the studio has seen, as the index's job history keeps them. */
export function indexJobStore(index: StudioIndex): JobStore {
  return {
    save(record: JobRecord): void {
      const now = new Date().toISOString();
      index.jobs.upsert({
        id: record.id,
        kind,
        status: historyStatus(record.status),
        createdAt: new Date(record.enqueuedAt).toISOString(),
        updatedAt: now,
        params: record,
        error: record.error,
      });
    },
    unfinished(): JobRecord[] {
      return index.jobs
        .withStatus('queued', 'running')
        .filter((job) => job.kind === kind)
        .map((job) => job.params as JobRecord);
    },
  };
}

/** The history keeps five states; submitted and saving are moments of "running". */
function historyStatus(status: GenerationStatus): JobStatus {
  switch (status) {
    case 'submitted':
    case 'saving':
      return 'running';
    default:
      return status;
  }
}
