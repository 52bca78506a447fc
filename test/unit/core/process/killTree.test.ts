import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { killTree, type KillTreeSystem } from '../../../../src/core/process/killTree';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

function fakeSystem(platform: NodeJS.Platform, failures: Record<number, string> = {}, exitCode = 0) {
  const kills: Array<[number, string]> = [];
  const runs: Array<[string, readonly string[]]> = [];
  const system: KillTreeSystem = {
    platform,
    kill(pid, signal) {
      kills.push([pid, signal]);
      const failure = failures[pid];
      if (failure) throw errno(failure);
    },
    async run(file, args) {
      runs.push([file, args]);
      return exitCode;
    },
  };
  return { system, kills, runs };
}

describe('killTree', () => {
  it('signals the process group on POSIX', async () => {
    const { system, kills } = fakeSystem('linux');
    await killTree(42, 'SIGTERM', {}, system);
    assert.deepEqual(kills, [[-42, 'SIGTERM']]);
  });

  it('falls back to the pid when there is no group, and tolerates a process that is gone', async () => {
    const noGroup = fakeSystem('darwin', { [-42]: 'ESRCH' });
    await killTree(42, 'SIGKILL', {}, noGroup.system);
    assert.deepEqual(noGroup.kills, [[-42, 'SIGKILL'], [42, 'SIGKILL']]);

    const gone = fakeSystem('linux', { [-42]: 'ESRCH', 42: 'ESRCH' });
    await killTree(42, 'SIGKILL', {}, gone.system);

    const foreignMember = fakeSystem('linux', { [-42]: 'EPERM' });
    await killTree(42, 'SIGTERM', {}, foreignMember.system);
    assert.deepEqual(foreignMember.kills.at(-1), [42, 'SIGTERM']);
  });

  it('reports other failures', async () => {
    const { system } = fakeSystem('linux', { [-42]: 'ESRCH', 42: 'EPERM' });
    await assert.rejects(killTree(42, 'SIGTERM', {}, system), /EPERM/);
  });

  it('after the leader exited signals only the group, never the bare pid', async () => {
    const { system, kills } = fakeSystem('linux', { [-42]: 'ESRCH' });
    await killTree(42, 'SIGKILL', { leaderExited: true }, system);
    assert.deepEqual(kills, [[-42, 'SIGKILL']]);
  });

  it('runs taskkill /T /F on Windows and accepts "not found"', async () => {
    const ok = fakeSystem('win32');
    await killTree(42, 'SIGTERM', {}, ok.system);
    assert.deepEqual(ok.runs, [['taskkill', ['/pid', '42', '/T', '/F']]]);
    assert.deepEqual(ok.kills, []);

    await killTree(42, 'SIGKILL', {}, fakeSystem('win32', {}, 128).system);
    await assert.rejects(killTree(42, 'SIGKILL', {}, fakeSystem('win32', {}, 1).system), /exited with code 1/);

    const after = fakeSystem('win32');
    await killTree(42, 'SIGKILL', { leaderExited: true }, after.system);
    assert.deepEqual(after.runs, [], 'taskkill cannot walk a tree whose root is gone');
  });
});
