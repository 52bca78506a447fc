import type { IndexDatabase } from '../indexDatabase';
import { Table, text } from '../table';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A unit of engine work (a generation, a training run). History: kept across refreshes. */
export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly status: JobStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly params: unknown;
  readonly error: string | undefined;
}

export class JobRepository extends Table<Job> {
  constructor(db: IndexDatabase) {
    super(db, {
      table: 'jobs',
      columns: ['id', 'kind', 'status', 'created_at', 'updated_at', 'params', 'error'],
      toRow: (j) => [j.id, j.kind, j.status, j.createdAt, j.updatedAt, JSON.stringify(j.params), j.error ?? null],
      fromRow: (r) => ({
        id: String(r['id']),
        kind: String(r['kind']),
        status: String(r['status']) as JobStatus,
        createdAt: String(r['created_at']),
        updatedAt: String(r['updated_at']),
        params: JSON.parse(String(r['params'])) as unknown,
        error: text(r['error']),
      }),
    });
  }

  get(id: string): Job | undefined {
    return this.select('WHERE id = ?', [id])[0];
  }

  /** Jobs in the given states, oldest first. */
  withStatus(...statuses: JobStatus[]): Job[] {
    return this.select(`WHERE status IN (${statuses.map(() => '?').join(', ')}) ORDER BY created_at`, statuses);
  }

  /** Inserts the job, or replaces the stored one with the same id. */
  upsert(job: Job): void {
    this.db.run(
      `INSERT INTO jobs (id, kind, status, created_at, updated_at, params, error) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, params = excluded.params, error = excluded.error`,
      [job.id, job.kind, job.status, job.createdAt, job.updatedAt, JSON.stringify(job.params), job.error ?? null],
    );
  }

  setStatus(id: string, status: JobStatus, updatedAt: string, error?: string): void {
    this.db.run('UPDATE jobs SET status = ?, updated_at = ?, error = ? WHERE id = ?', [status, updatedAt, error ?? null, id]);
  }
}
