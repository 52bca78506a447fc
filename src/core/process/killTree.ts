import { execFile } from 'node:child_process';

export interface KillTreeOptions {
  /**
   * The process itself has already exited and only stragglers of its tree may be left. Then
   * only its process group is signalled, never the bare pid: that number may already belong
   * to an unrelated process.
   */
  readonly leaderExited?: boolean;
}

/** Signals a process and all its descendants; resolves once the signal has been sent. */
export type KillTree = (pid: number, signal: NodeJS.Signals, options?: KillTreeOptions) => Promise<void>;

/** What `killTree` needs from the system; replaced in tests. */
export interface KillTreeSystem {
  readonly platform: NodeJS.Platform;
  /** `process.kill`: a negative pid addresses a process group. */
  kill(pid: number, signal: NodeJS.Signals): void;
  /** Runs a program and resolves with its exit code. */
  run(file: string, args: readonly string[]): Promise<number | null>;
}

export const nodeKillTreeSystem: KillTreeSystem = {
  platform: process.platform,
  kill: (pid, signal) => process.kill(pid, signal),
  run: (file, args) =>
    new Promise((resolve, reject) => {
      // Bounded, so that a stuck taskkill cannot make stop() hang.
      execFile(file, [...args], { windowsHide: true, timeout: 10_000 }, (error) => {
        if (!error) resolve(0);
        else if (typeof error.code === 'number') resolve(error.code);
        else reject(error);
      });
    }),
};

/** taskkill's exit code when no process has that pid. */
const taskkillNotFound = 128;

/**
 * Kills `pid` and its descendants.
 *
 * POSIX: signals the process group the child leads (it was spawned `detached`), so grandchildren
 * such as accelerate's training process go too; if there is no such group (a child spawned
 * without `detached`) it falls back to the pid alone.
 *
 * Windows: `taskkill /pid N /T /F` whatever the signal. Windows has no polite signal for a
 * console program (Node's own `kill()` there is TerminateProcess), and `/T` can only walk the
 * tree while the parent is alive, so asking nicely first would only lose the tree.
 *
 * A process that is already gone (ESRCH, taskkill's "not found") is not an error.
 */
export async function killTree(
  pid: number,
  signal: NodeJS.Signals,
  options: KillTreeOptions = {},
  system: KillTreeSystem = nodeKillTreeSystem,
): Promise<void> {
  if (system.platform === 'win32') {
    if (options.leaderExited) return;
    const code = await system.run('taskkill', ['/pid', String(pid), '/T', '/F']);
    if (code !== 0 && code !== taskkillNotFound) throw new Error(`taskkill /pid ${pid} /T /F exited with code ${code}`);
    return;
  }
  try {
    system.kill(-pid, signal);
    return;
  } catch (error) {
    if (options.leaderExited) {
      if (isErrno(error, 'ESRCH')) return;
      throw error;
    }
    // ESRCH: no such group (not detached); EPERM: a member belongs to someone else. Either way the pid itself is still ours.
    if (!isErrno(error, 'ESRCH') && !isErrno(error, 'EPERM')) throw error;
  }
  try {
    system.kill(pid, signal);
  } catch (error) {
    if (!isErrno(error, 'ESRCH')) throw error;
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
