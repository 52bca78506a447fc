import type { BindParams, SqlValue } from 'sql.js';
import type { IndexDatabase, Row } from './indexDatabase';

/** How one entity type maps onto one table. */
export interface TableMapping<T> {
  readonly table: string;
  readonly columns: readonly string[];
  toRow(entity: T): SqlValue[];
  fromRow(row: Row): T;
}

/**
 * The common part of every repository: read rows as entities, and replace the whole table with
 * entities derived from the files. Specific queries live in the repository that needs them.
 */
export class Table<T> {
  private readonly insertSql: string;

  constructor(
    protected readonly db: IndexDatabase,
    protected readonly mapping: TableMapping<T>,
  ) {
    this.insertSql = `INSERT INTO ${mapping.table} (${mapping.columns.join(', ')}) VALUES (${mapping.columns.map(() => '?').join(', ')})`;
  }

  get name(): string {
    return this.mapping.table;
  }

  /** Call inside a transaction: the table is empty between the two statements. */
  replaceAll(entities: readonly T[]): void {
    this.db.run(`DELETE FROM ${this.mapping.table}`);
    this.db.insertMany(this.insertSql, entities.map((entity) => this.mapping.toRow(entity)));
  }

  /**
   * Brings a table keyed by its first column in line with a cache: rows whose key is not kept are
   * dropped and the `changed` ones written, so one changed file costs one row, not a rewrite.
   */
  sync(kept: { has(key: string): boolean }, changed: readonly T[]): void {
    const key = this.mapping.columns[0]!;
    for (const row of this.db.all(`SELECT ${key} FROM ${this.mapping.table}`)) {
      const value = String(row[key]);
      if (!kept.has(value)) this.db.run(`DELETE FROM ${this.mapping.table} WHERE ${key} = ?`, [value]);
    }
    this.db.insertMany(this.insertSql.replace(/^INSERT/, 'INSERT OR REPLACE'), changed.map((entity) => this.mapping.toRow(entity)));
  }

  insert(entity: T): void {
    this.db.run(this.insertSql, this.mapping.toRow(entity));
  }

  count(): number {
    return Number(this.db.get(`SELECT COUNT(*) AS n FROM ${this.mapping.table}`)?.['n'] ?? 0);
  }

  protected select(whereAndOrder = '', params?: BindParams): T[] {
    return this.db.all(`SELECT * FROM ${this.mapping.table} ${whereAndOrder}`, params).map((row) => this.mapping.fromRow(row));
  }
}

export const text = (value: SqlValue | undefined): string | undefined => (value === null || value === undefined ? undefined : String(value));
export const int = (value: SqlValue | undefined): number | undefined => (value === null || value === undefined ? undefined : Number(value));
export const nullable = (value: string | number | undefined): SqlValue => value ?? null;
