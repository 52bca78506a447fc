import * as vscode from 'vscode';
import { DisposableStore } from '../../core/util/disposable';
import { errorMessage, isCancellation } from '../../core/util/errors';
import type { Logger } from '../../core/util/logger';
import { type CommandType, type Envelope, envelopeSchema, type NotificationType, readyCommand, type RequestType } from '../../shared/protocol/ipc';
import { renderHtml } from './html';

/** A handler for one request or command of a panel's protocol, typed by it. */
export interface Handler {
  readonly type: RequestType<string, unknown, unknown> | CommandType<string, unknown>;
  readonly handle: (params: unknown) => unknown;
}

export function onRequest<M extends string, P, R>(type: RequestType<M, P, R>, handle: (params: P) => R | Promise<R>): Handler {
  return { type: type as RequestType<string, unknown, unknown>, handle: handle as (params: unknown) => unknown };
}

export function onCommand<M extends string, P>(type: CommandType<M, P>, handle: (params: P) => void | Promise<void>): Handler {
  return { type: type as CommandType<string, unknown>, handle: handle as (params: unknown) => unknown };
}

export interface PanelHostOptions {
  readonly extensionUri: vscode.Uri;
  /** The bundle: dist/webview/<entry>.js and .css. */
  readonly entry: string;
  readonly title: string;
  readonly logger: Logger;
  /** The only folders the webview may load from, besides the panel's bundles. */
  readonly resourceRoots: readonly vscode.Uri[];
}

/**
 * What every panel shares: the webview's options and HTML, messages validated in both
 * directions and dispatched to typed handlers, notifications held back until the webview says
 * it is ready, and one store of disposables that goes with the panel.
 *
 * `retainContextWhenHidden` is off: a hidden webview is destroyed, and rebuilt from fresh HTML
 * (with fresh bootstrap state) when it is shown again.
 */
export abstract class PanelHost implements vscode.Disposable {
  protected readonly disposables = new DisposableStore();
  /** Built on the first message, when the subclass is complete. */
  private handlerMap: Map<string, Handler> | undefined;
  private ready = false;
  private hidden = false;
  private held: Envelope[] = [];
  private disposed = false;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly options: PanelHostOptions,
  ) {
    this.setResourceRoots(options.resourceRoots);
    this.disposables.add(panel.webview.onDidReceiveMessage((message: unknown) => void this.receive(message)));
    this.disposables.add(
      panel.onDidChangeViewState(({ webviewPanel }) => {
        // Hiding destroyed the webview; showing it again loads fresh HTML, with current data.
        if (!webviewPanel.visible) {
          this.ready = false;
          this.hidden = true;
        } else if (this.hidden) {
          this.hidden = false;
          this.render();
        }
      }),
    );
    this.disposables.add(panel.onDidDispose(() => this.dispose()));
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The requests and commands the webview may send, each with its handler. */
  protected abstract handlers(): readonly Handler[];

  /** The state the webview starts from; asked for on every render, so a reshown panel is current. */
  protected abstract bootstrap(): unknown;

  /** The folders the webview may load from, besides the panel's bundles; set again on a revived panel too. */
  protected setResourceRoots(resourceRoots: readonly vscode.Uri[]): void {
    this.panel.webview.options = {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.options.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.options.extensionUri, 'media'), ...resourceRoots],
    };
  }

  /** Loads the webview anew with the current bootstrap state. */
  protected render(): void {
    this.ready = false;
    this.held = [];
    this.panel.webview.html = renderHtml({ webview: this.panel.webview, extensionUri: this.options.extensionUri, entry: this.options.entry, title: this.options.title, bootstrap: this.bootstrap() });
  }

  /** Sends a notification now, or when the webview is ready; a hidden webview gets fresh HTML instead when shown. */
  protected notify<M extends string, P>(type: NotificationType<M, P>, params: P): void {
    if (this.disposed) return;
    const message: Envelope = { v: 1, kind: 'ntf', method: type.method, params };
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.held.push(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposables.dispose();
    this.panel.dispose();
  }

  private async receive(message: unknown): Promise<void> {
    const envelope = envelopeSchema.safeParse(message);
    if (!envelope.success) {
      this.options.logger.warn(`${this.options.title}: ignored a message that is not a StudioNOVA message.`);
      return;
    }
    const { kind, method, id } = envelope.data;
    if (kind === 'cmd' && method === readyCommand.method) {
      this.ready = true;
      for (const held of this.held.splice(0)) void this.panel.webview.postMessage(held);
      return;
    }
    this.handlerMap ??= new Map(this.handlers().map((handler) => [handler.type.method, handler]));
    const handler = this.handlerMap.get(method);
    if (!handler || handler.type.kind !== kind) {
      this.options.logger.warn(`${this.options.title}: ignored unknown ${kind} ${method}.`);
      if (kind === 'req') this.reply(id, method, { ok: false, error: { code: 'bad_request', message: `Unknown request ${method}.` } });
      return;
    }
    const params = handler.type.params.safeParse(envelope.data.params ?? {});
    if (!params.success) {
      const reason = `Bad parameters for ${method}: ${params.error.issues[0]?.message ?? 'invalid'}.`;
      this.options.logger.warn(`${this.options.title}: ${reason}`);
      if (kind === 'req') this.reply(id, method, { ok: false, error: { code: 'bad_request', message: reason } });
      return;
    }
    try {
      const result = await handler.handle(params.data);
      if (kind === 'req') this.reply(id, method, { ok: true, result });
    } catch (error) {
      if (!isCancellation(error)) this.options.logger.warn(`${this.options.title}: ${method} failed: ${errorMessage(error)}`);
      if (kind === 'req') this.reply(id, method, { ok: false, error: { code: isCancellation(error) ? 'cancelled' : 'failed', message: errorMessage(error) } });
    }
  }

  private reply(id: number | undefined, method: string, outcome: Pick<Envelope, 'ok' | 'result' | 'error'>): void {
    if (this.disposed || id === undefined) return;
    void this.panel.webview.postMessage({ v: 1, kind: 'res', id, method, ...outcome } satisfies Envelope);
  }
}
