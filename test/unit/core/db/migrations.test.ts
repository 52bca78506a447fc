import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import { migrations, schemaVersion } from '../../../../src/core/db/migrations';
import { indexFile, manifestFile } from '../../../../src/core/studio/layout';
import { StudioIndex } from '../../../../src/core/studio/studioIndex';
import { manifestLine } from '../../../support/manifestEntry';
import { recordingLogger, wasmPath, withSampleStudio } from '../../../support/tempStudio';

const loadSqlJs = async (): Promise<SqlJsStatic> => {
  const wasm = await readFile(wasmPath);
  return initSqlJs({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer });
};

/**
 * Rewrites an index file as schema `version` would have it: a database made by the first
 * `version` migrations only, holding what the current one holds in the columns that existed then.
 * Its file digest still matches the studio, so only the migration can make the index read again.
 */
async function downgrade(file: string, version: number): Promise<void> {
  const SQL = await loadSqlJs();
  const current = new SQL.Database(await readFile(file));
  const older = new SQL.Database();
  for (const migration of migrations.slice(0, version)) older.run(migration);
  older.run(`PRAGMA user_version = ${version}`);
  const tables = older.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]!.values.map(([name]) => String(name));
  for (const table of tables) {
    const columns = older.exec(`PRAGMA table_info(${table})`)[0]!.values.map((column) => String(column[1]));
    const rows = current.exec(`SELECT ${columns.join(', ')} FROM ${table}`)[0]?.values ?? [];
    for (const row of rows) older.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, row);
  }
  await writeFile(file, older.export());
  current.close();
  older.close();
}

async function editDatabase(file: string, edit: (db: Database) => void): Promise<void> {
  const db = new (await loadSqlJs()).Database(await readFile(file));
  edit(db);
  await writeFile(file, db.export());
  db.close();
}

async function userVersion(file: string): Promise<number> {
  const db = new (await loadSqlJs()).Database(await readFile(file));
  const version = Number(db.exec('PRAGMA user_version')[0]!.values[0]![0]);
  db.close();
  return version;
}

describe('index migrations', () => {
  it('fills the panels of pages and the panel and seed of images in an index written by schema 2', async () => {
    await withSampleStudio(async (root) => {
      const file = path.join(root, indexFile);
      const image = 'output/ch-01/raw/ch01_p001_v1.png';
      await mkdir(path.join(root, 'output/ch-01/raw'), { recursive: true });
      await writeFile(path.join(root, image), '');
      await writeFile(path.join(root, manifestFile), manifestLine(image, { kind: 'page', chapter: 1, page: 1, panel: 2 }, 4242));
      await (await StudioIndex.open({ root, wasmPath, logger: recordingLogger() })).close();
      await downgrade(file, 2);
      // What schema 2 cached: a page's panel count only, and no generation log.
      await editDatabase(file, (db) => {
        db.run("DELETE FROM documents WHERE kind = 'manifest'");
        db.run(
          `UPDATE documents SET data = json_object('kind', 'page', 'chapterId', data ->> 'chapterId', 'page', data ->> 'page', 'panelCount', json_array_length(data, '$.panels'))
           WHERE kind = 'page'`,
        );
      });
      assert.equal(await userVersion(file), 2);

      const index = await StudioIndex.open({ root, wasmPath, logger: recordingLogger() });
      assert.equal(index.recovery, 'none');
      assert.deepEqual(index.pages.get('chapters/ch-01/p001.page.md')?.panels.map((p) => p.title), ['Panel 1', 'Panel 2']);
      assert.deepEqual(index.assets.forPanel('ch-01', 1, 2).map((a) => [a.path, a.seed]), [[image, 4242]]);
      await index.close();
      assert.equal(await userVersion(file), schemaVersion);
    });
  });
});
