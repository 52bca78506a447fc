import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cliPath } from './tempStudio';

/** Runs the built `studionova` command line as a child process; never throws on a non-zero exit. */
export async function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cliPath, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
