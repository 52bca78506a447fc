import { homedir } from 'node:os';
import type * as vscode from 'vscode';
import type { Logger } from '../core/util/logger';

/** Shows the home folder as `~`, so logs can be shared without leaking the user name. */
export function tildify(text: string, home = homedir()): string {
  return home.length > 1 ? text.split(home).join('~') : text;
}

/** A core `Logger` written to a LogOutputChannel, the same channel the user opens with Show Log. */
export function createLogger(channel: vscode.LogOutputChannel): Logger {
  const clean = (message: string | Error): string =>
    tildify(message instanceof Error ? (message.stack ?? message.message) : message);
  return {
    trace: (message, ...args) => channel.trace(clean(message), ...args),
    debug: (message, ...args) => channel.debug(clean(message), ...args),
    info: (message, ...args) => channel.info(clean(message), ...args),
    warn: (message, ...args) => channel.warn(clean(message), ...args),
    error: (message, ...args) => channel.error(clean(message), ...args),
  };
}
