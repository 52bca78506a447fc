import type { DisposableLike } from '../util/disposable';
import { Emitter, type EventLike } from '../util/emitter';
import { AppError, CancelledError, errorMessage } from '../util/errors';
import { silentLogger, type Logger } from '../util/logger';
import { childEnv } from './childEnv';
import { ChildRun, type ChildExit } from './childRun';
import { systemClock, type Clock } from './clock';
import { formatDuration } from './formatDuration';
import { killTree as realKillTree, type KillTree, type KillTreeOptions } from './killTree';
import { LogRing, type LogLine } from './logRing';
import { describeExit, lastMeaningfulLine, ProcessStartError, type ProcessStartFailure } from './processStartError';
import { RestartPolicy, type RestartPolicyOptions } from './restartPolicy';
import { nodeSpawn, type Spawn } from './spawn';

/** When a started process counts as ready. With neither field it is ready once spawned (a training run). */
export interface ReadinessSpec {
  /** A line (on either stream) that must have been printed, e.g. ComfyUI's `To see the GUI go to:`. */
  readonly logLine?: RegExp;
  /**
   * Must return true, e.g. `GET /system_stats` answering 200. Polled after the log line (if any)
   * was seen, first at once, then with pauses from 100 ms doubling up to `probeIntervalMs`.
   * The signal aborts when the start is over either way. A throw counts as false.
   */
  readonly probe?: (signal: AbortSignal) => Promise<boolean>;
  /** Longest pause between probes. Default 1000 ms. */
  readonly probeIntervalMs?: number;
}

export interface SupervisorSpec {
  readonly id: string;
  /** The process in messages ("ComfyUI exited while starting"); the id if absent. */
  readonly name?: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Over our own environment; an undefined value removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly readiness: ReadinessSpec;
  readonly startTimeoutMs: number;
  /** How long SIGTERM is given before the whole tree is killed. */
  readonly stopTimeoutMs: number;
  /** Restart after an unexpected exit while ready; absent: never (a training run is not restarted). */
  readonly restart?: RestartPolicyOptions | undefined;
  /** Names the start-up phase a log line begins ("loading custom nodes"), for the status bar. */
  readonly phaseOf?: (line: string) => string | undefined;
  /** What to check when the start fails, ending the error's user message. */
  readonly hint?: string;
  /** Recognises a known failure in the stderr tail (port in use, missing module) and says what to do. */
  readonly diagnose?: (stderrTail: readonly string[]) => string | undefined;
}

export type SupervisorState =
  | { readonly kind: 'stopped' }
  /** `attempt` is 0 for a start that was asked for, n for the n-th automatic restart. */
  | { readonly kind: 'starting'; readonly phase: string; readonly pid: number | undefined; readonly attempt: number }
  | { readonly kind: 'ready'; readonly pid: number }
  | { readonly kind: 'unhealthy'; readonly pid: number; readonly reason: string }
  | { readonly kind: 'stopping'; readonly pid: number | undefined }
  | {
      readonly kind: 'crashed';
      readonly exitCode: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly reason: string;
      readonly logTail: readonly string[];
    };

export interface ProcessExitEvent {
  readonly pid: number | undefined;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** We were stopping it. */
  readonly expected: boolean;
}

export interface SupervisorDeps {
  readonly spawn?: Spawn;
  readonly clock?: Clock;
  readonly killTree?: KillTree;
  readonly logger?: Logger;
  /** Environment the spec's `env` is laid over. Default `process.env`. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** Lines kept for `logTail` and error messages. Default 500. */
  readonly logLines?: number;
}

/** Extra wait after SIGKILL before stop() gives up waiting; stop must never hang. */
const killWaitMs = 2000;
/** How long output may still arrive after the exit before it is cut off. */
const drainMs = 250;
const firstProbeDelayMs = 100;
const defaultProbeIntervalMs = 1000;
const errorTailLines = 20;
const crashTailLines = 50;

type StartOutcome = { kind: 'ready' } | { kind: 'exited'; exit: ChildExit } | { kind: 'timeout' } | { kind: 'aborted' };

/**
 * Starts and watches one long-running child (ComfyUI, an sd-scripts training run), after
 * Jupyter's `KernelProcess`: readiness raced against exit, timeout and cancellation; the
 * stderr tail in typed errors; restarts with backoff; a stop that escalates and never hangs.
 *
 * Who owns the child at any moment is explicit: the start in progress until ready, then the
 * exit watcher (which restarts it), and `stop()` as soon as it is called. A start "session"
 * runs from `start()` until the process ends for good; `stop()` aborts it, which is how a
 * pending restart or readiness wait learns to give up.
 */
export class Supervisor implements DisposableLike {
  private readonly stateEmitter = new Emitter<SupervisorState>();
  private readonly logEmitter = new Emitter<LogLine>();
  private readonly exitEmitter = new Emitter<ProcessExitEvent>();
  /** Fires on every change of `state`. */
  readonly onDidChangeState: EventLike<SupervisorState> = this.stateEmitter.event;
  /** Every line of output; `progress` lines are tqdm redraws. */
  readonly onLog: EventLike<LogLine> = this.logEmitter.event;
  /** Every exit of a child, expected or not (a training run reads its exit code here). */
  readonly onDidExit: EventLike<ProcessExitEvent> = this.exitEmitter.event;

  private currentState: SupervisorState = { kind: 'stopped' };
  private run: ChildRun | undefined;
  private session: AbortController | undefined;
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private disposed = false;

  private readonly name: string;
  private readonly spawn: Spawn;
  private readonly clock: Clock;
  private readonly killTree: KillTree;
  private readonly logger: Logger;
  private readonly baseEnv: NodeJS.ProcessEnv;
  private readonly ring: LogRing;
  private readonly policy: RestartPolicy | undefined;

  constructor(
    readonly spec: SupervisorSpec,
    deps: SupervisorDeps = {},
  ) {
    this.name = spec.name ?? spec.id;
    this.spawn = deps.spawn ?? nodeSpawn;
    this.clock = deps.clock ?? systemClock;
    this.killTree = deps.killTree ?? realKillTree;
    this.logger = deps.logger ?? silentLogger;
    this.baseEnv = deps.baseEnv ?? process.env;
    this.ring = new LogRing({ maxLines: deps.logLines ?? 500 });
    this.policy = spec.restart ? new RestartPolicy(spec.restart, () => this.clock.now()) : undefined;
  }

  get state(): SupervisorState {
    return this.currentState;
  }

  /**
   * Starts the process and resolves once it is ready. While it is starting or ready, every
   * call returns the same promise (only the first caller's `signal` cancels the start). While
   * it is stopping, the start waits for the stop. Rejects with `ProcessStartError`, or with
   * `CancelledError` when `signal` aborts or `stop()` is called first (the process is stopped).
   */
  start(signal?: AbortSignal): Promise<void> {
    if (this.disposed) return Promise.reject(new AppError('process_disposed', `${this.name} is shutting down and cannot be started.`));
    if (signal?.aborted) return Promise.reject(new CancelledError());
    if (this.stopPromise) return this.stopPromise.then(() => this.start(signal));
    if (this.startPromise) return this.startPromise;

    const session = new AbortController();
    this.session = session;
    this.policy?.reset();
    this.ring.clear();
    const promise = this.firstStart(session.signal);
    this.startPromise = promise;
    // Nobody may be listening (a start kicked off from the UI); the rejection is in the state too.
    promise.catch(() => {});
    if (signal) {
      const onAbort = (): void => {
        if (this.session === session && this.run?.status !== 'ready') void this.stop();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const unsubscribe = (): void => signal.removeEventListener('abort', onAbort);
      promise.then(unsubscribe, unsubscribe);
    }
    return promise;
  }

  /**
   * Stops the process: SIGTERM to its tree, then after `stopTimeoutMs` SIGKILL to the tree.
   * Idempotent; resolves once it is stopped, or after a bounded wait if even SIGKILL did not
   * end it. A crashed process stays `crashed` (there is nothing to stop).
   */
  stop(): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    const run = this.run;
    const session = this.session;
    if (!run && !session) return Promise.resolve();
    const promise = this.stopNow(run, session).finally(() => {
      this.stopPromise = undefined;
    });
    this.stopPromise = promise;
    return promise;
  }

  /** Stops, then starts again with a fresh restart budget. */
  async restart(signal?: AbortSignal): Promise<void> {
    await this.stop();
    await this.start(signal);
  }

  /** A caller's health check failed while the process is up (ready → unhealthy). */
  markUnhealthy(reason: string): void {
    const state = this.currentState;
    if (state.kind !== 'ready' && state.kind !== 'unhealthy') return;
    if (state.kind === 'unhealthy' && state.reason === reason) return;
    this.logger.warn(`${this.name} is unhealthy: ${reason}`);
    this.setState({ kind: 'unhealthy', pid: state.pid, reason });
  }

  /** The health check passes again (unhealthy → ready). */
  markHealthy(): void {
    const state = this.currentState;
    if (state.kind !== 'unhealthy') return;
    this.logger.info(`${this.name} is healthy again`);
    this.setState({ kind: 'ready', pid: state.pid });
  }

  /** The last `n` lines of output (both streams, oldest first), progress bars at their latest drawing. */
  logTail(n?: number): string[] {
    return this.ring.tail(n);
  }

  /** Stops the process (without waiting) and releases the events once it has stopped. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.stop().finally(() => {
      this.stateEmitter.dispose();
      this.logEmitter.dispose();
      this.exitEmitter.dispose();
    });
  }

  private async firstStart(signal: AbortSignal): Promise<void> {
    try {
      await this.launch('launching', 0, signal);
    } catch (error) {
      if (signal.aborted) throw new CancelledError();
      if (error instanceof ProcessStartError) this.setCrashed(error.exitCode, error.signal, errorMessage(error));
      throw error;
    }
  }

  /**
   * One spawn, up to ready. Leaves the final state to the caller on failure: a first start
   * ends `crashed`, a restart counts one more crash.
   */
  private async launch(phase: string, attempt: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new CancelledError();
    const run = this.spawnRun();
    this.run = run;
    this.logger.info(`${this.name}: started pid ${run.pid ?? '?'}: ${this.spec.command} ${this.spec.args.join(' ')} (in ${this.spec.cwd})`);
    this.setState({ kind: 'starting', phase, pid: run.pid, attempt });

    let outcome = await this.raceReadiness(run, signal);
    // Ready and dead in the same tick: the exit wins, or we would call a dead process ready.
    if (outcome.kind === 'ready' && run.exit) outcome = { kind: 'exited', exit: await run.exited };
    switch (outcome.kind) {
      case 'ready': {
        run.status = 'ready';
        run.readyAt = this.clock.now();
        this.logger.info(`${this.name} is ready (pid ${run.pid})`);
        // raceReadiness never reports a run without a pid as ready; the fallback only satisfies the type.
        this.setState({ kind: 'ready', pid: run.pid ?? 0 });
        void run.exited.then((exit) => this.onExitWhileReady(run, exit));
        return;
      }
      case 'exited': {
        if (this.run === run) this.run = undefined;
        const failure: ProcessStartFailure = outcome.exit.error ? 'spawn-failed' : 'exited';
        throw this.startError(failure, outcome.exit);
      }
      case 'timeout': {
        this.logger.warn(`${this.name} was not ready after ${formatDuration(this.spec.startTimeoutMs)}; stopping it`);
        run.status = 'stopping';
        this.setState({ kind: 'stopping', pid: run.pid });
        await this.terminate(run);
        if (this.run === run) this.run = undefined;
        throw this.startError('timeout', run.exit ?? { exitCode: null, signal: null });
      }
      case 'aborted':
        throw new CancelledError();
    }
  }

  private spawnRun(): ChildRun {
    const env = childEnv(this.baseEnv, this.spec.env);
    let child;
    try {
      child = this.spawn(this.spec.command, this.spec.args, { cwd: this.spec.cwd, env });
    } catch (error) {
      // Node throws synchronously for some bad arguments (EINVAL) instead of emitting 'error'.
      throw this.startError('spawn-failed', { exitCode: null, signal: null, error: error instanceof Error ? error : new Error(String(error)) });
    }
    const run: ChildRun = new ChildRun(
      child,
      this.ring,
      {
        onLine: (line) => this.onLine(run, line),
        afterExit: async (exit) => {
          this.logger.info(`${this.name} (pid ${run.pid ?? '?'}) exited: ${exit.error ? exit.error.message : describeExit(exit.exitCode, exit.signal)}`);
          this.fireSafely(this.exitEmitter, { pid: run.pid, exitCode: exit.exitCode, signal: exit.signal, expected: run.status === 'stopping' });
          // Whatever it left behind in its process group goes with it.
          if (run.pid !== undefined) await this.kill(run, 'SIGKILL', { leaderExited: true });
        },
        onError: (error) => this.logger.warn(`${this.name} (pid ${run.pid ?? '?'}): ${error.message}`),
      },
      this.clock,
      drainMs,
    );
    return run;
  }

  private onLine(run: ChildRun, line: LogLine): void {
    this.fireSafely(this.logEmitter, line);
    if (run !== this.run || run.status !== 'starting') return;
    if (!run.logLineSeen && this.spec.readiness.logLine?.test(line.line)) {
      run.logLineSeen = true;
      run.onLogLineSeen?.();
    }
    const phase = this.spec.phaseOf?.(line.line);
    const state = this.currentState;
    if (phase && state.kind === 'starting' && state.phase !== phase) this.setState({ ...state, phase });
  }

  private raceReadiness(run: ChildRun, signal: AbortSignal): Promise<StartOutcome> {
    const probeController = new AbortController();
    return new Promise<StartOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: StartOutcome): void => {
        if (settled) return;
        settled = true;
        timer.dispose();
        signal.removeEventListener('abort', onAbort);
        probeController.abort();
        resolve(outcome);
      };
      const onAbort = (): void => finish({ kind: 'aborted' });
      const timer = this.clock.setTimeout(() => finish({ kind: 'timeout' }), this.spec.startTimeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      void run.exited.then((exit) => finish({ kind: 'exited', exit }));
      // Without a pid the spawn failed and the exit is on its way; never call that ready.
      if (run.pid === undefined) return;
      this.waitUntilReady(run, probeController.signal).then(
        () => finish({ kind: 'ready' }),
        () => {}, // only ever cancelled, by `finish` itself
      );
    });
  }

  private async waitUntilReady(run: ChildRun, signal: AbortSignal): Promise<void> {
    const { logLine, probe } = this.spec.readiness;
    if (logLine && !run.logLineSeen) {
      await new Promise<void>((resolve) => (run.onLogLineSeen = resolve));
    }
    if (!probe) return;
    const maxDelay = Math.max(1, this.spec.readiness.probeIntervalMs ?? defaultProbeIntervalMs);
    let delay = Math.min(firstProbeDelayMs, maxDelay);
    for (;;) {
      if (signal.aborted) throw new CancelledError();
      let ok = false;
      try {
        ok = await probe(signal);
      } catch (error) {
        this.logger.debug(`${this.name}: readiness probe failed: ${errorMessage(error)}`);
      }
      if (ok) return;
      await this.clock.sleep(delay, signal);
      delay = Math.min(delay * 2, maxDelay);
    }
  }

  /** The process died after it was ready: restart per policy, or settle in crashed/stopped. */
  private onExitWhileReady(run: ChildRun, exit: ChildExit): void {
    // stop() took it over, or it is long replaced.
    if (run !== this.run || run.status !== 'ready') return;
    this.run = undefined;
    const readyForMs = run.readyAt === undefined ? undefined : this.clock.now() - run.readyAt;
    const session = this.session;
    if (!this.policy || !session) {
      this.session = undefined;
      this.startPromise = undefined;
      if (exit.exitCode === 0 && !exit.signal) {
        this.setState({ kind: 'stopped' });
      } else {
        this.setCrashed(exit.exitCode, exit.signal, `${this.name} stopped unexpectedly (${describeExit(exit.exitCode, exit.signal)}).`);
      }
      return;
    }
    this.logger.warn(`${this.name} stopped unexpectedly (${describeExit(exit.exitCode, exit.signal)}); restarting`);
    const promise = this.restartLoop(this.policy, exit, readyForMs, session.signal);
    this.startPromise = promise;
    promise.catch(() => {});
  }

  private async restartLoop(policy: RestartPolicy, firstExit: ChildExit, readyForMs: number | undefined, signal: AbortSignal): Promise<void> {
    let last = { exitCode: firstExit.exitCode, signal: firstExit.signal };
    let uptime = readyForMs;
    for (;;) {
      const decision = policy.recordCrash(uptime);
      uptime = undefined;
      if (decision.kind === 'give-up') {
        const tail = this.ring.tail(errorTailLines, 'stderr');
        const lastLine = lastMeaningfulLine(tail);
        const error = new ProcessStartError(
          'crash-loop',
          `${this.name} ${decision.reason}, so it is not restarted again.${lastLine ? ` Its last message: "${lastLine}".` : ''} Fix the cause (Show Logs has its output), then start it again.`,
          { processId: this.spec.id, exitCode: last.exitCode, signal: last.signal, stderrTail: tail },
        );
        if (signal.aborted) throw new CancelledError();
        this.logger.error(`${this.name} ${decision.reason}; giving up restarting it`);
        this.setCrashed(last.exitCode, last.signal, errorMessage(error));
        throw error;
      }
      const phase = `restarting (attempt ${decision.attempt})`;
      this.setState({ kind: 'starting', phase, pid: undefined, attempt: decision.attempt });
      this.logger.info(`${this.name}: restart attempt ${decision.attempt} in ${formatDuration(decision.delayMs)}`);
      await this.clock.sleep(decision.delayMs, signal);
      try {
        await this.launch(phase, decision.attempt, signal);
        return;
      } catch (error) {
        if (signal.aborted || !(error instanceof ProcessStartError)) throw error;
        this.logger.warn(`${this.name}: restart attempt ${decision.attempt} failed: ${error.message}`);
        last = { exitCode: error.exitCode, signal: error.signal };
      }
    }
  }

  private async stopNow(run: ChildRun | undefined, session: AbortController | undefined): Promise<void> {
    // Aborting first makes any start or restart in progress let go of the child (and never spawn another).
    session?.abort();
    if (this.session === session) this.session = undefined;
    this.startPromise = undefined;
    this.setState({ kind: 'stopping', pid: run?.pid });
    if (run) {
      run.status = 'stopping';
      await this.terminate(run);
      if (this.run === run) this.run = undefined;
    }
    this.logger.info(`${this.name} stopped`);
    this.setState({ kind: 'stopped' });
  }

  private terminate(run: ChildRun): Promise<void> {
    run.terminating ??= this.terminateNow(run);
    return run.terminating;
  }

  private async terminateNow(run: ChildRun): Promise<void> {
    if (run.pid === undefined || run.exit) {
      await run.exited;
      return;
    }
    await this.kill(run, 'SIGTERM');
    if (await this.waitForExit(run, this.spec.stopTimeoutMs)) return;
    this.logger.warn(`${this.name} (pid ${run.pid}) did not stop within ${formatDuration(this.spec.stopTimeoutMs)} of SIGTERM; killing its process tree`);
    await this.kill(run, 'SIGKILL');
    if (await this.waitForExit(run, killWaitMs)) return;
    this.logger.error(`${this.name} (pid ${run.pid}) is still running after SIGKILL; no longer waiting for it`);
  }

  /** killTree, falling back to the child alone if that fails: a stop must get as far as it can. */
  private async kill(run: ChildRun, signal: NodeJS.Signals, options?: KillTreeOptions): Promise<void> {
    if (run.pid === undefined) return;
    try {
      await this.killTree(run.pid, signal, options);
    } catch (error) {
      this.logger.warn(`${this.name}: could not ${signal} the process tree of pid ${run.pid}: ${errorMessage(error)}`);
      if (!options?.leaderExited && !run.exit) {
        try {
          run.child.kill(signal);
        } catch (killError) {
          this.logger.warn(`${this.name}: could not ${signal} pid ${run.pid}: ${errorMessage(killError)}`);
        }
      }
    }
  }

  /** True if the run ended within `ms`. */
  private waitForExit(run: ChildRun, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(false), ms);
      void run.exited.then(() => {
        timer.dispose();
        resolve(true);
      });
    });
  }

  private startError(failure: ProcessStartFailure, exit: ChildExit): ProcessStartError {
    const tail = this.ring.tail(errorTailLines, 'stderr');
    const hint = this.spec.hint ?? 'Check its settings; Show Logs has its full output.';
    let message: string;
    if (failure === 'spawn-failed') {
      const code = (exit.error as NodeJS.ErrnoException | undefined)?.code;
      const why =
        code === 'ENOENT'
          ? `"${this.spec.command}" was not found, or the folder ${this.spec.cwd} does not exist`
          : `running "${this.spec.command}" failed (${exit.error?.message ?? 'unknown error'})`;
      message = `Could not start ${this.name}: ${why}. ${hint}`;
    } else {
      const diagnosis = this.spec.diagnose?.(tail);
      const lastLine = lastMeaningfulLine(tail);
      const what =
        failure === 'timeout'
          ? `${this.name} was not ready after ${formatDuration(this.spec.startTimeoutMs)} and was stopped.`
          : `${this.name} exited while starting (${describeExit(exit.exitCode, exit.signal)}).`;
      const detail = diagnosis ?? (lastLine ? `Its last message: "${lastLine}". ${hint}` : hint);
      message = `${what} ${detail}`;
    }
    return new ProcessStartError(failure, message, {
      processId: this.spec.id,
      exitCode: exit.exitCode,
      signal: exit.signal,
      stderrTail: tail,
      cause: exit.error,
    });
  }

  private setCrashed(exitCode: number | null, signal: NodeJS.Signals | null, reason: string): void {
    this.session = undefined;
    this.startPromise = undefined;
    this.setState({ kind: 'crashed', exitCode, signal, reason, logTail: this.ring.tail(crashTailLines) });
  }

  private setState(state: SupervisorState): void {
    this.currentState = state;
    this.logger.debug(`${this.name}: ${state.kind}${state.kind === 'starting' ? ` (${state.phase})` : ''}`);
    this.fireSafely(this.stateEmitter, state);
  }

  /** A throwing listener must not derail the state machine half-way through a transition. */
  private fireSafely<T>(emitter: Emitter<T>, value: T): void {
    try {
      emitter.fire(value);
    } catch (error) {
      this.logger.error(`${this.name}: an event listener failed: ${errorMessage(error)}`);
    }
  }
}
