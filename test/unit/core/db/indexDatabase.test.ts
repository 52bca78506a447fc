import assert from 'node:assert/strict';
import { mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { IndexDatabase } from '../../../../src/core/db/indexDatabase';
import { schemaVersion } from '../../../../src/core/db/migrations';
import { recordingLogger, wasmPath, withTempFolder } from '../../../support/tempStudio';

const insertJob = (db: IndexDatabase, id: string): void =>
  db.run("INSERT INTO jobs (id, kind, status, created_at, updated_at, params) VALUES (?, 'generate', 'queued', 't', 't', '{}')", [id]);

describe('IndexDatabase', () => {
  it('creates the schema in a new file and reads it back after a flush', async () => {
    await withTempFolder(async (dir) => {
      const file = path.join(dir, 'index.sqlite');
      const first = await IndexDatabase.open({ file, wasmPath, logger: recordingLogger() });
      assert.equal(first.recovery, 'missing');
      assert.equal(first.get('PRAGMA user_version')?.['user_version'], schemaVersion);
      insertJob(first, 'job-1');
      await first.close();

      const second = await IndexDatabase.open({ file, wasmPath, logger: recordingLogger() });
      assert.equal(second.recovery, 'none');
      assert.deepEqual(second.all('SELECT id FROM jobs'), [{ id: 'job-1' }]);
      await second.close();
    });
  });

  it('writes changes after the save delay without an explicit flush', async () => {
    await withTempFolder(async (dir) => {
      const file = path.join(dir, 'index.sqlite');
      const db = await IndexDatabase.open({ file, wasmPath, logger: recordingLogger(), saveDelayMs: 10 });
      insertJob(db, 'job-1');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const bytes = await readFile(file);
      assert.equal(bytes.subarray(0, 15).toString(), 'SQLite format 3');
      await db.close();
    });
  });

  for (const [name, damage] of [
    ['truncated', (file: string) => truncate(file, 1000)],
    ['garbled', (file: string) => writeFile(file, Buffer.alloc(8192, 0x5a))],
    ['empty', (file: string) => writeFile(file, '')],
  ] as const) {
    it(`treats a ${name} file as corrupt, logs it, and starts empty`, async () => {
      await withTempFolder(async (dir) => {
        const file = path.join(dir, 'index.sqlite');
        const db = await IndexDatabase.open({ file, wasmPath, logger: recordingLogger() });
        for (let i = 0; i < 200; i++) insertJob(db, `job-${i}`);
        await db.close();
        await damage(file);

        const logger = recordingLogger();
        const reopened = await IndexDatabase.open({ file, wasmPath, logger });
        assert.equal(reopened.recovery, name === 'empty' ? 'none' : 'corrupt');
        assert.deepEqual(reopened.all('SELECT COUNT(*) AS n FROM jobs'), [{ n: 0 }]);
        if (name !== 'empty') assert.ok(logger.lines.some((l) => l.startsWith('warn:') && l.includes('rebuilding')), logger.lines.join('\n'));
        await reopened.close();
      });
    });
  }

  it('keeps working in memory when the file cannot be read or written (locked)', async () => {
    await withTempFolder(async (dir) => {
      // A folder where the file should be: reading fails and so does every rename over it.
      const file = path.join(dir, 'index.sqlite');
      await mkdir(path.join(file, 'blocker'), { recursive: true });
      const logger = recordingLogger();
      const db = await IndexDatabase.open({ file, wasmPath, logger });
      assert.equal(db.recovery, 'unreadable');
      insertJob(db, 'job-1');
      await db.flush();
      assert.deepEqual(db.all('SELECT id FROM jobs'), [{ id: 'job-1' }]);
      assert.ok(logger.lines.some((l) => l.includes('Could not write the index')), logger.lines.join('\n'));
      await db.close();
    });
  });

  it('sets aside an index written by a newer schema', async () => {
    await withTempFolder(async (dir) => {
      const file = path.join(dir, 'index.sqlite');
      const db = await IndexDatabase.open({ file, wasmPath, logger: recordingLogger() });
      db.run(`PRAGMA user_version = ${schemaVersion + 1}`);
      await db.close();
      const reopened = await IndexDatabase.open({ file, wasmPath, logger: recordingLogger() });
      assert.equal(reopened.recovery, 'incompatible');
      await reopened.close();
    });
  });

  it('rolls a failed transaction back whole', async () => {
    const db = await IndexDatabase.open({ file: undefined, wasmPath, logger: recordingLogger() });
    assert.throws(() =>
      db.transaction(() => {
        insertJob(db, 'a');
        insertJob(db, 'a');
      }),
    );
    assert.deepEqual(db.all('SELECT COUNT(*) AS n FROM jobs'), [{ n: 0 }]);
    await db.close();
  });
});
