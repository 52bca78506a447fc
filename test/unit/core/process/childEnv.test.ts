import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childEnv } from '../../../../src/core/process/childEnv';

describe('childEnv', () => {
  it('lays the spec over ours, removes undefined ones and always makes Python unbuffered UTF-8', () => {
    const env = childEnv({ HOME: '/home/a', PYTHONUNBUFFERED: '', REMOVE: 'x' }, { COLUMNS: '250', REMOVE: undefined, PYTHONIOENCODING: 'cp1252' }, 'linux');
    assert.deepEqual(env, { HOME: '/home/a', COLUMNS: '250', PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' });
  });

  it('replaces variables whatever their case on Windows', () => {
    const env = childEnv({ Path: 'C:\\Windows' }, { PATH: 'C:\\venv\\Scripts;C:\\Windows' }, 'win32');
    assert.deepEqual(env, { PATH: 'C:\\venv\\Scripts;C:\\Windows', PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' });
    assert.deepEqual(childEnv({ Path: 'a' }, { PATH: 'b' }, 'linux'), { Path: 'a', PATH: 'b', PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' });
  });
});
