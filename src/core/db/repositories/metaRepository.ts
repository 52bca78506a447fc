import type { IndexDatabase } from '../indexDatabase';

/** Small named values about the index itself. */
export class MetaRepository {
  constructor(private readonly db: IndexDatabase) {}

  get(key: string): string | undefined {
    const value = this.db.get('SELECT value FROM meta WHERE key = ?', [key])?.['value'];
    return value === undefined || value === null ? undefined : String(value);
  }

  set(key: string, value: string): void {
    this.db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }
}
