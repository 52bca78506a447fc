import { AppError } from '../util/errors';

/**
 * Why a supervised process is not running when it should be:
 * - `spawn-failed`: the program could not be run at all (not found, folder missing);
 * - `exited`: it ended before it was ready;
 * - `timeout`: it did not become ready in time and was stopped;
 * - `crash-loop`: it kept crashing and automatic restarts were given up.
 */
export type ProcessStartFailure = 'spawn-failed' | 'exited' | 'timeout' | 'crash-loop';

export interface ProcessStartErrorDetails {
  readonly processId: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines the process wrote to stderr, oldest first; where Python puts its traceback. */
  readonly stderrTail: readonly string[];
  readonly cause?: unknown;
}

const codes: Record<ProcessStartFailure, string> = {
  'spawn-failed': 'process_spawn_failed',
  exited: 'process_exited',
  timeout: 'process_start_timeout',
  'crash-loop': 'process_crash_loop',
};

/** A supervised process did not start (or would not stay up). `userMessage` says what to do. */
export class ProcessStartError extends AppError {
  readonly processId: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: readonly string[];

  constructor(
    readonly failure: ProcessStartFailure,
    userMessage: string,
    details: ProcessStartErrorDetails,
  ) {
    super(codes[failure], userMessage, {
      cause: details.cause,
      detail: [`${details.processId}: ${describeExit(details.exitCode, details.signal)}`, ...details.stderrTail.slice(-5)].join('\n'),
    });
    this.processId = details.processId;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail;
  }
}

/** "exit code 1", "killed by SIGKILL", "no exit status": how a process ended, in words. */
export function describeExit(exitCode: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  if (exitCode !== null) return `exit code ${exitCode}`;
  return 'no exit status';
}

/**
 * The line of a tail most likely to name the problem: the last one that is not blank, which
 * for a Python traceback is the exception itself. Cut to a length that fits a notification.
 */
export function lastMeaningfulLine(tail: readonly string[], maxLength = 300): string | undefined {
  for (let i = tail.length - 1; i >= 0; i--) {
    const line = tail[i]!.trim();
    if (line) return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
  }
  return undefined;
}
