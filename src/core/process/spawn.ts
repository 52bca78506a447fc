import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** The part of a child process the supervisor uses; Node's `ChildProcess` satisfies it, and so do test fakes. */
export interface ChildProcessLike {
  /** Undefined when the program could not be started; an 'error' event follows. */
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  kill(signal?: NodeJS.Signals): boolean;
}

export interface SpawnOptionsLike {
  readonly cwd: string;
  /** The complete environment of the child, not additions to ours. */
  readonly env: NodeJS.ProcessEnv;
}

/** A `child_process.spawn`-shaped port, so the supervisor can be tested without real processes. */
export type Spawn = (command: string, args: readonly string[], options: SpawnOptionsLike) => ChildProcessLike;

/**
 * The real spawn. On POSIX the child leads its own process group (`detached`), so that
 * `killTree` can signal everything it started (accelerate's training child, ComfyUI's helpers)
 * with one `kill(-pid)`; the flip side is that the group is not taken down by a terminal's
 * Ctrl-C, which is why the host stops supervisors on deactivate. stdin is closed: neither
 * ComfyUI nor sd-scripts reads it, and an open pipe would only keep handles alive.
 */
export const nodeSpawn: Spawn = (command, args, options) =>
  spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
    // No console window flashing up for python.exe on Windows.
    windowsHide: true,
    shell: false,
  });
