import { AppError } from '../util/errors';

/** Nothing answers at the Ollama address (refused, reset, or silent past the timeout). */
export class OllamaUnavailableError extends AppError {
  constructor(
    readonly url: string,
    cause?: unknown,
  ) {
    super('ollama_unavailable', `Ollama is not reachable at ${url}. Start Ollama (\`ollama serve\`) or set studionova.ollama.url.`, {
      cause,
      detail: describeCause(cause),
    });
  }
}

/** The model is not installed in this Ollama (404 `model '…' not found`). */
export class OllamaModelNotFoundError extends AppError {
  /** The command that installs it, with the name exactly as it was asked for. */
  readonly pullCommand: string;

  constructor(
    readonly model: string,
    serverText?: string,
  ) {
    const pullCommand = `ollama pull ${model}`;
    super('ollama_model_missing', `The model ${model} is not installed in Ollama. Install it with \`${pullCommand}\`, or choose another model.`, {
      detail: serverText,
    });
    this.pullCommand = pullCommand;
  }
}

/**
 * The model cannot see images. Ollama would still answer, inventing a description of a picture
 * it never received, so StudioNOVA refuses before asking.
 */
export class OllamaNotVisionModelError extends AppError {
  constructor(readonly model: string) {
    super('ollama_not_vision', `The model ${model} cannot see images. Choose a vision model, for example llava:7b (\`ollama pull llava:7b\`).`);
  }
}

/**
 * Ollama refused a request with an error status (`serverText` is its `error` field), or
 * answered 2xx with a body StudioNOVA cannot read (then `serverText` is the start of it).
 */
export class OllamaRequestError extends AppError {
  constructor(
    readonly route: string,
    readonly status: number,
    readonly serverText: string,
  ) {
    super(requestCode(status), requestMessage(route, status, serverText), { detail: status === 503 ? serverText : undefined });
  }
}

function requestCode(status: number): string {
  if (status === 503) return 'ollama_busy';
  return status < 400 ? 'ollama_bad_reply' : 'ollama_request_failed';
}

function requestMessage(route: string, status: number, text: string): string {
  if (status === 503) return 'Ollama is busy with too many waiting requests. Try again in a moment.';
  if (status < 400) return `The reply to ${route} is not what Ollama sends; check that studionova.ollama.url points at Ollama. (${text})`;
  return `Ollama refused ${route} (HTTP ${status}): ${text || 'no reason given'}`;
}

/** Why an answer stopped after it had begun. */
export type StreamFailure = 'error-line' | 'ended-early' | 'connection-lost' | 'bad-line';

/** An answer failed after Ollama had started it (HTTP 200 was already sent). */
export class OllamaStreamError extends AppError {
  constructor(
    readonly failure: StreamFailure,
    readonly serverText: string,
    cause?: unknown,
  ) {
    super('ollama_stream_failed', streamMessage(failure, serverText), { cause });
  }
}

function streamMessage(failure: StreamFailure, text: string): string {
  switch (failure) {
    case 'error-line':
      return `Ollama failed while answering: ${text}`;
    case 'ended-early':
      return 'Ollama stopped answering before the end of its answer. Look at the Ollama log, then try again.';
    case 'connection-lost':
      return `The connection to Ollama broke while it was answering (${text}). Check that Ollama is still running, then try again.`;
    case 'bad-line':
      return `Ollama sent something StudioNOVA cannot read: ${text}`;
  }
}

/** undici hides the reason of `fetch failed` in `cause` (ECONNREFUSED, ENOTFOUND…). */
function describeCause(cause: unknown): string | undefined {
  if (!(cause instanceof Error)) return undefined;
  const inner = cause.cause instanceof Error ? cause.cause : undefined;
  const code = inner && 'code' in inner ? String((inner as { code: unknown }).code) : undefined;
  return code ? `${cause.message}: ${code}` : inner ? `${cause.message}: ${inner.message}` : cause.message;
}
