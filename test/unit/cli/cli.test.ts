import assert from 'node:assert/strict';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { IndexDatabase } from '../../../src/core/db/indexDatabase';
import { runCli } from '../../support/runCli';
import { recordingLogger, wasmPath, withSampleStudio, withTempFolder } from '../../support/tempStudio';

describe('studionova CLI', () => {
  it('index rebuilds the index file and prints counts', async () => {
    await withSampleStudio(async (dir) => {
      const result = await runCli('index', dir, '--json');
      assert.equal(result.code, 0, result.stderr);
      const counts = JSON.parse(result.stdout) as Record<string, number>;
      assert.deepEqual({ ...counts, durationMs: 0 }, { characters: 1, datasets: 1, loras: 1, chapters: 1, pages: 1, assets: 0, problems: 0, durationMs: 0 });
      assert.ok((await stat(path.join(dir, '.studio/index.sqlite'))).size > 0);
    });
  });

  it('check prints one JSON problem per line with 1-based lines and exits 1 on errors', async () => {
    await withSampleStudio(async (dir) => {
      assert.deepEqual(await runCli('check', dir), { code: 0, stdout: '', stderr: '' });
      await mkdir(path.join(dir, 'characters/broken'));
      await writeFile(path.join(dir, 'characters/broken/character.md'), '---\nname: Broken\n---\n');
      await writeFile(path.join(dir, 'studio.json'), '{\n  "name": "S",\n  "defaults": { "steps": 0 }\n}\n');
      const result = await runCli('check', dir);
      assert.equal(result.code, 1);
      const problems = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.deepEqual(problems.map((p) => [p['file'], p['line'], p['severity'], p['code']]), [
        ['characters/broken/character.md', 1, 'warning', 'character.no-trigger'],
        ['studio.json', 3, 'error', 'studio.invalid'],
      ]);
      await assert.rejects(stat(path.join(dir, '.studio/index.sqlite')), 'check writes nothing');
    });
  });

  it('exits 2 with a clear message for a folder that is not a studio', async () => {
    await withTempFolder(async (dir) => {
      const result = await runCli('check', dir);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /is not a studio: it has no studio\.json/);
    });
  });

  it('two processes indexing one studio at once never leave a corrupt index', async () => {
    await withSampleStudio(async (dir) => {
      const writer = async (): Promise<void> => {
        for (let i = 0; i < 6; i++) assert.equal((await runCli('index', dir)).code, 0);
      };
      await Promise.all([writer(), writer()]);
      const db = await IndexDatabase.open({ file: path.join(dir, '.studio/index.sqlite'), wasmPath, logger: recordingLogger() });
      assert.equal(db.recovery, 'none');
      assert.deepEqual(db.all('SELECT id FROM characters'), [{ id: 'spyke' }]);
      await db.close();
    });
  });
});
