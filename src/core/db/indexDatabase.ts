import { readFile } from 'node:fs/promises';
import type { BindParams, Database, SqlJsStatic, SqlValue } from 'sql.js';
import { writeFileAtomic } from '../util/files';
import type { Logger } from '../util/logger';
import { migrations, schemaVersion } from './migrations';

/** Why the database was made anew instead of being read from its file. */
export type IndexRecovery = 'none' | 'missing' | 'unreadable' | 'corrupt' | 'incompatible';

export interface IndexDatabaseOptions {
  /** The database file; undefined keeps it in memory only (tests, dry runs). */
  readonly file: string | undefined;
  /** sql.js's `sql-wasm.wasm`, shipped beside the bundle. */
  readonly wasmPath: string;
  readonly logger: Logger;
  /** How long changes wait before the file is written, so bursts of edits cost one write. */
  readonly saveDelayMs?: number;
}

export type Row = Record<string, SqlValue>;

const sqlJsByWasm = new Map<string, Promise<SqlJsStatic>>();

/** sql.js is loaded on first use only: its wasm must never be compiled during activation. */
function loadSqlJs(wasmPath: string): Promise<SqlJsStatic> {
  let loading = sqlJsByWasm.get(wasmPath);
  if (!loading) {
    loading = (async () => {
      const [{ default: initSqlJs }, wasmBinary] = await Promise.all([import('sql.js'), readFile(wasmPath)]);
      return initSqlJs({ wasmBinary: wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) as ArrayBuffer });
    })();
    loading.catch(() => sqlJsByWasm.delete(wasmPath));
    sqlJsByWasm.set(wasmPath, loading);
  }
  return loading;
}

/**
 * The studio's index: an in-memory SQLite database (sql.js) mirrored to `.studio/index.sqlite`.
 *
 * The file is only ever replaced whole, atomically, so a crash or a second VS Code window
 * writing at the same moment leaves either the old or the new database, never a torn one.
 * A file that cannot be read or is not a sound database is set aside in favour of a fresh one:
 * the files of the studio are the truth and the caller rebuilds from them.
 */
export class IndexDatabase {
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;
  private closed = false;

  private constructor(
    private readonly db: Database,
    private readonly options: IndexDatabaseOptions,
    /** How the database was obtained; anything but 'none' means the caller must rebuild it. */
    readonly recovery: IndexRecovery,
  ) {}

  static async open(options: IndexDatabaseOptions): Promise<IndexDatabase> {
    const SQL = await loadSqlJs(options.wasmPath);
    const { db, recovery } = await readExisting(SQL, options);
    if (recovery !== 'none') {
      const fresh = new SQL.Database();
      migrate(fresh, 0);
      const index = new IndexDatabase(fresh, options, recovery);
      if (recovery !== 'missing') options.logger.warn(`Index ${options.file ?? '(memory)'} was ${recovery}; rebuilding it from the studio's files.`);
      return index;
    }
    return new IndexDatabase(db!, options, 'none');
  }

  all<T extends Row = Row>(sql: string, params?: BindParams): T[] {
    const statement = this.db.prepare(sql);
    try {
      if (params) statement.bind(params);
      const rows: T[] = [];
      while (statement.step()) rows.push(statement.getAsObject() as T);
      return rows;
    } finally {
      statement.free();
    }
  }

  get<T extends Row = Row>(sql: string, params?: BindParams): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  run(sql: string, params?: BindParams): void {
    this.db.run(sql, params);
    this.markDirty();
  }

  /** Runs `rows.length` inserts through one prepared statement. */
  insertMany(sql: string, rows: readonly SqlValue[][]): void {
    const statement = this.db.prepare(sql);
    try {
      for (const row of rows) statement.run(row);
    } finally {
      statement.free();
    }
    this.markDirty();
  }

  /** Runs `work` in one transaction: all of it lands, or none of it. */
  transaction<T>(work: () => T): T {
    this.db.run('BEGIN');
    try {
      const result = work();
      this.db.run('COMMIT');
      this.markDirty();
      return result;
    } catch (error) {
      this.db.run('ROLLBACK');
      throw error;
    }
  }

  /** Writes pending changes now (deactivation, the CLI's exit). */
  async flush(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.dirty) await this.save();
    await this.saving;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.db.close();
  }

  private markDirty(): void {
    this.dirty = true;
    if (!this.options.file || this.saveTimer || this.closed) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, this.options.saveDelayMs ?? 500);
  }

  private save(): Promise<void> {
    const file = this.options.file;
    if (!file || this.closed) return this.saving;
    this.dirty = false;
    const bytes = this.db.export();
    // Writes are chained so two saves never race on the same temp-and-rename.
    this.saving = this.saving.then(async () => {
      try {
        await writeFileAtomic(file, bytes);
      } catch (error) {
        // A locked or read-only file costs persistence, not the session: the index stays in
        // memory and the next change tries again.
        this.dirty = true;
        this.options.logger.warn(`Could not write the index to ${file}; keeping it in memory. ${String(error)}`);
      }
    });
    return this.saving;
  }
}

async function readExisting(
  SQL: SqlJsStatic,
  options: IndexDatabaseOptions,
): Promise<{ db: Database | undefined; recovery: IndexRecovery }> {
  if (!options.file) return { db: undefined, recovery: 'missing' };
  let bytes: Buffer;
  try {
    bytes = await readFile(options.file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { db: undefined, recovery: code === 'ENOENT' ? 'missing' : 'unreadable' };
  }
  let db: Database | undefined;
  try {
    db = new SQL.Database(bytes);
    // sql.js reads lazily: only a query finds a truncated or garbled file.
    const check = db.exec('PRAGMA quick_check');
    if (check[0]?.values[0]?.[0] !== 'ok') throw new Error('quick_check failed');
    const version = Number(db.exec('PRAGMA user_version')[0]?.values[0]?.[0] ?? 0);
    if (version > schemaVersion) {
      db.close();
      return { db: undefined, recovery: 'incompatible' };
    }
    migrate(db, version);
    return { db, recovery: 'none' };
  } catch {
    db?.close();
    return { db: undefined, recovery: 'corrupt' };
  }
}

function migrate(db: Database, fromVersion: number): void {
  for (let version = fromVersion; version < schemaVersion; version++) {
    db.run('BEGIN');
    db.run(migrations[version]!);
    db.run(`PRAGMA user_version = ${version + 1}`);
    db.run('COMMIT');
  }
}
