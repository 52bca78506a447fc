/**
 * Errors the core throws on purpose. `userMessage` is written for the person in front of the
 * screen and says what to do; `message` may carry detail for the log.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly userMessage: string,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(options?.detail ? `${userMessage} (${options.detail})` : userMessage, { cause: options?.cause });
    this.name = new.target.name;
  }
}

/** The folder is not a studio (no studio.json). */
export class NotAStudioError extends AppError {
  constructor(root: string) {
    super('not_a_studio', `${root} is not a studio: it has no studio.json. Run "StudioNOVA: New Studio" first.`);
  }
}

/** Creating something would overwrite a file or folder the user already has. */
export class AlreadyExistsError extends AppError {
  constructor(what: string, path: string) {
    super('already_exists', `${what} already exists at ${path}; nothing was overwritten.`);
  }
}

/** A name or id the user typed cannot be used. */
export class InvalidInputError extends AppError {
  constructor(message: string) {
    super('invalid_input', message);
  }
}

/** The user cancelled; callers stay silent about it. */
export class CancelledError extends AppError {
  constructor() {
    super('cancelled', 'Cancelled.');
  }
}

export function isCancellation(error: unknown): boolean {
  return error instanceof CancelledError || (error instanceof Error && error.name === 'AbortError');
}

export function errorMessage(error: unknown): string {
  if (error instanceof AppError) return error.userMessage;
  if (error instanceof Error) return error.message;
  return String(error);
}
