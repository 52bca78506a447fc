import { readVisionImage } from '../images/visionImage';
import { cleanCaption, fillCaptionTemplate } from '../ollama/captionPrompt';
import { OllamaModelNotFoundError, OllamaNotVisionModelError, OllamaUnavailableError } from '../ollama/errors';
import type { DescribeImageRequest, ImageDescription } from '../ollama/ollamaClient';
import { CancelledError, InvalidInputError, errorMessage, isCancellation } from '../util/errors';

/** The part of OllamaClient auto-captioning uses; a test can stand in for it. */
export interface VisionCaptioner {
  describeImage(request: DescribeImageRequest, signal?: AbortSignal): Promise<ImageDescription>;
}

export interface AutoCaptionImage {
  /** The caption's id (the image's stem). */
  readonly id: string;
  /** The image file, absolute. */
  readonly file: string;
  /** Its caption now, '' when it has none: the template's `{existing}`. */
  readonly existing: string;
}

export interface AutoCaptionOptions {
  readonly client: VisionCaptioner;
  readonly model: string;
  /** A caption prompt template with `{trigger}`, `{class}`, `{existing}` (see captionPrompt.ts). */
  readonly template: string;
  readonly trigger: string;
  readonly class: string;
  /** In the order they are captioned. Callers pass only what needs a caption, so running again resumes. */
  readonly images: readonly AutoCaptionImage[];
  onStart?(id: string): void;
  /** The answer so far, raw, as it streams in. */
  onText?(id: string, text: string): void;
  /** The cleaned caption of a finished image; the caller saves it. A rejection counts as that image failing. */
  onDone?(id: string, caption: string): void | Promise<void>;
  readonly signal?: AbortSignal;
  /** Images asked at a time. Ollama serves one request per model at a time by default, so more only queue there. */
  readonly concurrency?: number;
  /** Reads an image as PNG or JPEG bytes; readVisionImage by default. */
  readonly readImage?: (file: string) => Promise<Uint8Array>;
}

export interface AutoCaptionReport {
  /** Ids captioned (and handed to onDone without error), in the order they finished. */
  readonly captioned: readonly string[];
  readonly failed: readonly { readonly id: string; readonly message: string }[];
  /** The signal stopped the run; images not finished then got no caption. */
  readonly cancelled: boolean;
}

/** Short captions: a runaway answer is cut rather than waited for. */
const captionOptions = { temperature: 0.2, num_predict: 160 } as const;

/**
 * Captions images with a local vision model, streaming each answer and cleaning it into a
 * `trigger, framing, pose, background` line. An error about one image (a broken answer, an
 * unreadable file) is reported and the run goes on; an error that would fail every image
 * (Ollama down, the model missing or blind) ends the run at once by throwing the client's error,
 * whose message says what to do. Cancelling aborts the answer being streamed: nothing partial
 * reaches onDone.
 */
export async function autoCaption(options: AutoCaptionOptions): Promise<AutoCaptionReport> {
  checkCaptionTemplate(options.template);
  const readImage = options.readImage ?? readVisionImage;
  const captioned: string[] = [];
  const failed: { id: string; message: string }[] = [];
  // One controller for the run: a fatal error in one worker stops the others' answers too.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  let fatal: { error: unknown } | undefined;
  let next = 0;

  const captionOne = async (image: AutoCaptionImage): Promise<void> => {
    options.onStart?.(image.id);
    const prompt = fillCaptionTemplate(options.template, { trigger: options.trigger, class: options.class, existing: image.existing }).text;
    let answer = '';
    const description = await options.client.describeImage(
      {
        model: options.model,
        image: await readImage(image.file),
        prompt,
        options: captionOptions,
        onText: (piece) => {
          answer += piece;
          options.onText?.(image.id, answer);
        },
      },
      stop.signal,
    );
    // A stream cut by the signal may still end normally on our side: never keep half an answer.
    if (stop.signal.aborted) throw new CancelledError();
    const caption = cleanCaption(description.text, options.trigger);
    if (caption === '') throw new InvalidInputError(`${options.model} gave no caption for this image.`);
    await options.onDone?.(image.id, caption);
    captioned.push(image.id);
  };

  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted && next < options.images.length) {
      const image = options.images[next++]!;
      try {
        await captionOne(image);
      } catch (error) {
        if (stop.signal.aborted || isCancellation(error)) return;
        if (failsEveryImage(error)) {
          fatal ??= { error };
          stop.abort();
          return;
        }
        failed.push({ id: image.id, message: errorMessage(error) });
      }
    }
  };

  try {
    const workers = Math.max(1, Math.min(options.concurrency ?? 1, options.images.length));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (fatal) throw fatal.error;
  // Cancelled only if something was left undone: a cancel that came after the last image changes nothing.
  const cancelled = (options.signal?.aborted ?? false) && captioned.length + failed.length < options.images.length;
  return { captioned, failed, cancelled };
}

/** Errors no other image would escape: asking again would only repeat them. */
function failsEveryImage(error: unknown): boolean {
  return error instanceof OllamaUnavailableError || error instanceof OllamaModelNotFoundError || error instanceof OllamaNotVisionModelError;
}

/** A `{name}` that is not a variable is most likely a typo: say so before any image is asked. */
export function checkCaptionTemplate(template: string): void {
  if (template.trim() === '') throw new InvalidInputError('The caption prompt is empty.');
  const { unknownVariables } = fillCaptionTemplate(template, { trigger: 't', class: 'c', existing: 'e' });
  if (unknownVariables.length > 0) {
    const names = unknownVariables.map((name) => `{${name}}`).join(', ');
    throw new InvalidInputError(`The caption prompt uses ${names}, which ${unknownVariables.length === 1 ? 'is not a variable' : 'are not variables'}: use {trigger}, {class} or {existing}.`);
  }
}
