import path from 'node:path';
import * as vscode from 'vscode';
import { autoCaption, checkCaptionTemplate, type AutoCaptionImage } from '../../core/captions/autoCaption';
import type { CaptionRecord, CaptionStore } from '../../core/captions/captionStore';
import { OllamaClient } from '../../core/ollama/ollamaClient';
import { InvalidInputError, errorMessage } from '../../core/util/errors';
import type { Logger } from '../../core/util/logger';
import type { CaptionChange } from '../../shared/captions/captionEdits';
import { splitTags } from '../../shared/captions/tags';
import type { AutoCaptionFinished, AutoCaptionScope, VisionModelList } from '../../shared/protocol/captions';
import { showError } from '../errors';

/** What an Auto-caption run needs from the caption editor it runs in. */
export interface AutoCaptionHost {
  readonly logger: Logger;
  readonly store: CaptionStore;
  readonly dataset: { readonly id: string; readonly folder: string; readonly trigger: string; readonly class: string };
  /** From the settings, read at each use: a changed URL counts from the next request. */
  ollamaUrl(): string;
  /**
   * Saves one finished caption as the editor saves its edits, unless its text is no longer
   * `before` (captioned meanwhile): undefined when saved, otherwise why not.
   */
  saveCaption(id: string, before: string, after: string): Promise<string | undefined>;
  /** Records the run's saved captions as one undo step; answers the history state after it. */
  recordStep(changes: ReadonlyMap<string, CaptionChange>): Promise<{ canUndo: boolean; canRedo: boolean }>;
  progress(done: number, total: number, current: string | null): void;
  text(id: string, text: string): void;
  finished(result: AutoCaptionFinished): void;
}

const noVisionModel = 'No vision model in Ollama: run `ollama pull llava:7b` (or qwen2.5vl)';

/**
 * Runs Auto-caption for one caption editor: one run at a time, cancellable from the webview and
 * from VS Code's progress notification. Each caption is saved as soon as it is finished, so a
 * cancel or a crash keeps what was done, and running again resumes with the images still without
 * a caption. The whole run is one undo step, recorded when it ends.
 */
export class AutoCaptionRunner implements vscode.Disposable {
  private running: AbortController | undefined;
  /** Kept while the URL stays the same: the client remembers what each model can do. */
  private client: OllamaClient | undefined;

  constructor(private readonly host: AutoCaptionHost) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  async listModels(): Promise<VisionModelList> {
    try {
      const models = await this.ollama().listVisionModels();
      if (models.length === 0) return { models: [], error: noVisionModel };
      return { models: models.map((model) => ({ name: model.name, parameterSize: model.parameterSize ?? null })), error: null };
    } catch (error) {
      return { models: [], error: errorMessage(error) };
    }
  }

  /** Starts a run and answers at once with its size; its progress and end come as notifications. */
  start(model: string, template: string, scope: AutoCaptionScope): { total: number } {
    if (this.running) throw new InvalidInputError('Auto-caption is already running in this editor: cancel it first.');
    checkCaptionTemplate(template);
    const images = this.imagesOf(scope);
    if (images.length === 0) return { total: 0 };
    const controller = new AbortController();
    this.running = controller;
    void this.run(model, template, images, controller).finally(() => {
      if (this.running === controller) this.running = undefined;
    });
    return { total: images.length };
  }

  cancel(): void {
    this.running?.abort();
  }

  dispose(): void {
    this.cancel();
  }

  private ollama(): OllamaClient {
    const url = this.host.ollamaUrl();
    if (this.client?.url !== url.replace(/\/+$/, '')) this.client = new OllamaClient(url);
    return this.client;
  }

  /** Images without a caption (or the chosen ones), in the editor's order; a caption not in UTF-8 cannot be written. */
  private imagesOf(scope: AutoCaptionScope): AutoCaptionImage[] {
    const records: CaptionRecord[] =
      scope === 'uncaptioned'
        ? this.host.store.list().filter((record) => splitTags(record.text).length === 0)
        : scope.flatMap((id) => {
            const record = this.host.store.get(id);
            if (!record) throw new InvalidInputError(`${id} is not an image of dataset ${this.host.dataset.id}.`);
            return [record];
          });
    return records
      .filter((record) => !record.notUtf8)
      .map((record) => ({ id: record.id, file: path.join(this.host.dataset.folder, record.image), existing: record.text }));
  }

  private async run(model: string, template: string, images: readonly AutoCaptionImage[], controller: AbortController): Promise<void> {
    const host = this.host;
    const before = new Map(images.map((image) => [image.id, image.existing]));
    const changes = new Map<string, CaptionChange>();
    const total = images.length;
    let started = 0;
    let result: Omit<AutoCaptionFinished, 'history'>;
    host.logger.info(`Auto-caption of ${host.dataset.id}: ${total} images with ${model} at ${host.ollamaUrl()}`);
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Auto-captioning ${host.dataset.id} with ${model}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return autoCaption({
            client: this.ollama(),
            model,
            template,
            trigger: host.dataset.trigger,
            class: host.dataset.class,
            images,
            signal: controller.signal,
            onStart: (id) => {
              progress.report({ message: `${id} (${started + 1} of ${total})`, increment: started === 0 ? 0 : 100 / total });
              host.progress(started++, total, id);
            },
            onText: (id, text) => host.text(id, text),
            onDone: async (id, caption) => {
              const was = before.get(id) ?? '';
              const problem = await host.saveCaption(id, was, caption);
              if (problem !== undefined) throw new InvalidInputError(problem);
              changes.set(id, { before: was, after: caption });
            },
          });
        },
      );
      result = { captioned: report.captioned.length, failed: [...report.failed], cancelled: report.cancelled, error: null };
      for (const failure of report.failed) host.logger.warn(`Auto-caption of ${host.dataset.id}: ${failure.id}: ${failure.message}`);
    } catch (error) {
      result = { captioned: changes.size, failed: [], cancelled: false, error: errorMessage(error) };
      void showError(host.logger, error, `Auto-caption of ${host.dataset.id}`);
    }
    const history = await host.recordStep(changes);
    host.progress(result.captioned + result.failed.length, total, null);
    host.finished({ ...result, history });
  }
}
