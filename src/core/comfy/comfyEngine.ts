import type { Settings } from '../settings/settings';
import type { LogLine } from '../process/logRing';
import { Supervisor, type SupervisorDeps, type SupervisorState } from '../process/supervisor';
import { comfyProcessSpec } from '../process/comfyProcessSpec';
import { findFreePort } from '../process/freePort';
import type { DisposableLike } from '../util/disposable';
import { DisposableStore } from '../util/disposable';
import { Emitter, type EventLike } from '../util/emitter';
import { AppError } from '../util/errors';
import type { Logger } from '../util/logger';
import { ComfyClient } from './comfyClient';
import { ComfyUnavailableError } from './errors';
import type { SystemStats } from './protocol';

export type ComfyEngineState =
  /** Nothing checked or started yet: nothing runs at activation. */
  | { readonly kind: 'idle' }
  | { readonly kind: 'starting'; readonly phase: string }
  | { readonly kind: 'ready'; readonly url: string; readonly stats: SystemStats }
  | { readonly kind: 'unhealthy'; readonly url: string; readonly reason: string }
  | { readonly kind: 'unreachable'; readonly url: string; readonly reason: string }
  | { readonly kind: 'crashed'; readonly reason: string; readonly logTail: readonly string[] }
  | { readonly kind: 'stopped' };

export type ComfySettings = Settings['comfyui'];

export interface ComfyEngineOptions {
  readonly logger: Logger;
  /** Managed mode runs a program the settings name: only in a trusted workspace. */
  readonly trusted: () => boolean;
  readonly healthIntervalMs?: number;
  readonly supervisorDeps?: SupervisorDeps;
}

/** Two missed health checks in a row make ComfyUI unhealthy: one can be a busy moment. */
const missesBeforeUnhealthy = 2;

/** Start-up and settings problems with ComfyUI that the user fixes in the settings. */
export class ComfyNotConfiguredError extends AppError {
  constructor(message: string) {
    super('comfy_not_configured', message);
  }
}

/**
 * ComfyUI as StudioNOVA sees it, in either mode. Connected: a URL that answers or not. Managed:
 * a process StudioNOVA starts on a free loopback port, supervised (readiness, restarts, stop of
 * the whole tree). In both, a health check follows /system_stats while ready.
 */
export class ComfyEngine implements DisposableLike {
  private readonly disposables = new DisposableStore();
  private readonly stateChanged = new Emitter<ComfyEngineState>();
  private readonly logged = new Emitter<LogLine>();
  readonly onDidChangeState: EventLike<ComfyEngineState> = this.stateChanged.event;
  /** The managed process's output, line by line. */
  readonly onLog: EventLike<LogLine> = this.logged.event;

  private current: ComfyEngineState = { kind: 'idle' };
  private supervisor: Supervisor | undefined;
  private supervisorEvents = new DisposableStore();
  private managedUrl: string | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private misses = 0;

  constructor(
    private settings: ComfySettings,
    private readonly options: ComfyEngineOptions,
  ) {
    this.disposables.add(this.stateChanged);
    this.disposables.add(this.logged);
  }

  get state(): ComfyEngineState {
    return this.current;
  }

  get mode(): ComfySettings['mode'] {
    return this.settings.mode;
  }

  /** The address requests go to: the setting in connected mode, the started process's port in managed mode. */
  get url(): string {
    return this.settings.mode === 'managed' ? (this.managedUrl ?? 'http://127.0.0.1') : this.settings.url;
  }

  /** The last lines the managed process printed, for error reports. */
  logTail(lines = 20): string[] {
    return this.supervisor?.logTail(lines) ?? [];
  }

  /**
   * A client for a ComfyUI that answers: connected mode checks the URL; managed mode starts the
   * process if it does not run. Throws a typed error that says what to do otherwise.
   */
  async ensureReady(signal?: AbortSignal): Promise<ComfyClient> {
    if (this.current.kind === 'ready') return new ComfyClient(this.current.url);
    if (this.settings.mode === 'managed') {
      await this.start(signal);
      return new ComfyClient(this.url);
    }
    const client = new ComfyClient(this.settings.url);
    try {
      this.setState({ kind: 'ready', url: client.url, stats: await client.systemStats(signal) });
      this.watchHealth();
      return client;
    } catch (error) {
      this.setState({ kind: 'unreachable', url: client.url, reason: error instanceof AppError ? error.userMessage : String(error) });
      throw error instanceof ComfyUnavailableError ? error : new ComfyUnavailableError(client.url, error);
    }
  }

  /** Starts the managed process (connected mode: checks the URL). Idempotent while starting or running. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.settings.mode === 'connected') {
      await this.ensureReady(signal);
      return;
    }
    if (!this.options.trusted()) {
      throw new ComfyNotConfiguredError('This folder is not trusted, so StudioNOVA starts no process. Trust the folder to start ComfyUI.');
    }
    if (!this.settings.folder) {
      throw new ComfyNotConfiguredError('Set "studionova.comfyui.folder" to your ComfyUI folder (the one with main.py) to let StudioNOVA start it.');
    }
    if (!this.supervisor || this.supervisor.state.kind === 'stopped' || this.supervisor.state.kind === 'crashed') await this.createSupervisor();
    await this.supervisor!.start(signal);
  }

  async stop(): Promise<void> {
    this.stopHealth();
    if (this.supervisor) await this.supervisor.stop();
    if (this.settings.mode === 'connected') this.setState({ kind: 'idle' });
  }

  async restart(signal?: AbortSignal): Promise<void> {
    await this.stop();
    await this.start(signal);
  }

  /** New settings; a managed process keeps running on the old ones until restarted (the host asks). */
  updateSettings(settings: ComfySettings): boolean {
    const previous = this.settings;
    this.settings = settings;
    const processChanged =
      previous.mode !== settings.mode || previous.folder !== settings.folder || previous.python !== settings.python || previous.extraArgs.join('\0') !== settings.extraArgs.join('\0');
    if (settings.mode === 'connected' && (previous.url !== settings.url || previous.mode !== 'connected') && this.current.kind !== 'idle') {
      this.stopHealth();
      this.setState({ kind: 'idle' });
    }
    return processChanged && this.supervisor !== undefined && this.supervisor.state.kind !== 'stopped';
  }

  dispose(): void {
    this.stopHealth();
    void this.supervisor?.stop();
    this.supervisorEvents.dispose();
    this.disposables.dispose();
  }

  private async createSupervisor(): Promise<void> {
    this.supervisorEvents.dispose();
    this.supervisorEvents = new DisposableStore();
    await this.supervisor?.stop();
    const port = await findFreePort('127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    this.managedUrl = url;
    const client = new ComfyClient(url);
    const spec = comfyProcessSpec({
      python: this.settings.python,
      folder: this.settings.folder,
      port,
      extraArgs: this.settings.extraArgs,
      probe: (signal) => client.systemStats(signal).then(() => true, () => false),
    });
    const supervisor = new Supervisor(spec, { ...this.options.supervisorDeps, logger: this.options.logger });
    this.supervisor = supervisor;
    this.supervisorEvents.add(supervisor);
    this.supervisorEvents.add(supervisor.onLog((line) => this.logged.fire(line)));
    this.supervisorEvents.add(supervisor.onDidChangeState((state) => void this.followSupervisor(state, client)));
  }

  private async followSupervisor(state: SupervisorState, client: ComfyClient): Promise<void> {
    switch (state.kind) {
      case 'starting':
        this.stopHealth();
        this.setState({ kind: 'starting', phase: state.phase });
        return;
      case 'ready':
        try {
          this.setState({ kind: 'ready', url: client.url, stats: await client.systemStats() });
          this.watchHealth();
        } catch (error) {
          this.setState({ kind: 'unhealthy', url: client.url, reason: String(error) });
        }
        return;
      case 'unhealthy':
        this.setState({ kind: 'unhealthy', url: client.url, reason: state.reason });
        return;
      case 'stopping':
      case 'stopped':
        this.stopHealth();
        this.setState({ kind: 'stopped' });
        return;
      case 'crashed':
        this.stopHealth();
        this.setState({ kind: 'crashed', reason: state.reason, logTail: state.logTail });
        return;
    }
  }

  /** Follows /system_stats while ready: free VRAM for the status bar, and a dead server noticed. */
  private watchHealth(): void {
    this.stopHealth();
    this.misses = 0;
    this.healthTimer = setInterval(() => void this.checkHealth(), this.options.healthIntervalMs ?? 10_000);
    this.healthTimer.unref?.();
  }

  private async checkHealth(): Promise<void> {
    const client = new ComfyClient(this.url);
    try {
      const stats = await client.systemStats();
      this.misses = 0;
      if (this.supervisor?.state.kind === 'unhealthy') this.supervisor.markHealthy();
      this.setState({ kind: 'ready', url: client.url, stats });
    } catch (error) {
      if (++this.misses < missesBeforeUnhealthy) return;
      const reason = error instanceof AppError ? error.userMessage : String(error);
      if (this.settings.mode === 'managed' && this.supervisor) this.supervisor.markUnhealthy(reason);
      else {
        this.stopHealth();
        this.setState({ kind: 'unreachable', url: client.url, reason });
      }
    }
  }

  private stopHealth(): void {
    clearInterval(this.healthTimer);
    this.healthTimer = undefined;
  }

  private setState(state: ComfyEngineState): void {
    this.current = state;
    this.stateChanged.fire(state);
  }
}
