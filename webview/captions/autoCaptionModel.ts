import { type AutoCaptionFinished, type VisionModelInfo, captionsProtocol } from '../../src/shared/protocol/captions';
import type { HostClient } from '../shared/hostConnection';

export interface AutoCaptionDeps {
  readonly host: HostClient;
  /** The prompt template the form starts from: the one last used in this workspace, or the default. */
  readonly template: string;
  /** The default template, which "Default prompt" puts back. */
  readonly defaultTemplate: string;
  /** The vision model last used in this workspace: chosen again while Ollama still has it. */
  readonly model: string | null;
  readonly changed: () => void;
  readonly status: (text: string, error: boolean) => void;
}

export type AutoCaptionScopeChoice = 'uncaptioned' | 'selected';

export interface AutoCaptionProgress {
  readonly done: number;
  readonly total: number;
  readonly current: string | null;
}

/**
 * Auto-caption's side of the caption editor: the form (model, prompt, scope), the run's progress,
 * and the captions streaming in, by row. The run itself is the host's; finished captions arrive
 * as ordinary row changes, saved already.
 */
export class AutoCaptionModel {
  formOpen = false;
  loadingModels = false;
  models: VisionModelInfo[] = [];
  /** Why no model can be offered (Ollama down, none pulled). */
  modelsError: string | null = null;
  model = '';
  template: string;
  scope: AutoCaptionScopeChoice = 'uncaptioned';
  running = false;
  progress: AutoCaptionProgress | null = null;
  /** The answer so far of the images being captioned, by row id. */
  readonly streaming = new Map<string, string>();

  constructor(private readonly deps: AutoCaptionDeps) {
    this.template = deps.template;
    this.model = deps.model ?? '';
  }

  /** The template is not the default one: "Default prompt" can put it back. */
  get templateChanged(): boolean {
    return this.template !== this.deps.defaultTemplate;
  }

  resetTemplate(): void {
    this.set({ template: this.deps.defaultTemplate });
  }

  /** Opens the form and asks the host which vision models Ollama has. */
  async open(): Promise<void> {
    this.formOpen = true;
    await this.loadModels();
  }

  close(): void {
    this.formOpen = false;
    this.deps.changed();
  }

  async loadModels(): Promise<void> {
    this.loadingModels = true;
    this.deps.changed();
    try {
      const list = await this.deps.host.request(captionsProtocol.listVisionModels, {});
      this.models = list.models;
      this.modelsError = list.error;
      // Keep the model chosen before when Ollama still has it.
      if (!this.models.some((model) => model.name === this.model)) this.model = this.models[0]?.name ?? '';
    } catch (error) {
      this.models = [];
      this.modelsError = messageOf(error);
    } finally {
      this.loadingModels = false;
      this.deps.changed();
    }
  }

  set(change: Partial<Pick<AutoCaptionModel, 'model' | 'template' | 'scope'>>): void {
    Object.assign(this, change);
    this.deps.changed();
  }

  /** Starts the run over the images without a caption, or over `selected`. */
  async start(selected: readonly string[]): Promise<void> {
    if (this.running || this.model === '') return;
    if (this.scope === 'selected' && selected.length === 0) {
      this.deps.status('Select the images to caption first, or choose “Images without a caption”.', true);
      return;
    }
    try {
      this.running = true;
      this.progress = null;
      this.deps.changed();
      const scope = this.scope === 'selected' ? [...selected] : 'uncaptioned';
      const { total } = await this.deps.host.request(captionsProtocol.startAutoCaption, { model: this.model, template: this.template, scope });
      if (total === 0) {
        this.running = false;
        this.deps.status('Every image has a caption already: nothing to auto-caption.', false);
        return;
      }
      this.formOpen = false;
      // The host starts at once: its first progress may have come before this reply, and says more.
      if (this.progress === null) {
        this.progress = { done: 0, total, current: null };
        this.deps.status(`Auto-captioning ${images(total)} with ${this.model}…`, false);
      } else {
        this.deps.changed();
      }
    } catch (error) {
      this.running = false;
      this.deps.status(messageOf(error), true);
    }
  }

  cancel(): void {
    if (!this.running) return;
    this.deps.host.command(captionsProtocol.cancelAutoCaption, {});
    this.deps.status('Cancelling Auto-caption…', false);
  }

  onProgress(progress: AutoCaptionProgress): void {
    this.progress = progress;
    if (progress.current !== null) this.deps.status(`Auto-captioning ${progress.current} (${progress.done + 1} of ${progress.total}) with ${this.model}…`, false);
    else this.deps.changed();
  }

  onText(id: string, text: string): void {
    this.streaming.set(id, text);
    this.deps.changed();
  }

  /** A caption was saved (or changed on disk): its row shows the file's text again. */
  rowsSaved(ids: readonly string[]): void {
    for (const id of ids) this.streaming.delete(id);
  }

  onFinished(result: AutoCaptionFinished): void {
    this.running = false;
    this.progress = null;
    this.streaming.clear();
    this.deps.status(describeFinished(result), result.error !== null || result.failed.length > 0);
  }
}

/** The status line after a run: what was written, what was not, and how to go on. */
export function describeFinished(result: AutoCaptionFinished): string {
  const written = `${captions(result.captioned)} written`;
  if (result.error !== null) return result.captioned > 0 ? `${result.error} (${written} before it stopped.)` : result.error;
  const parts = [result.cancelled ? `Auto-caption cancelled: ${written}; run it again to caption the rest` : `Auto-captioned ${captions(result.captioned)}`];
  if (result.failed.length > 0) parts.push(`${images(result.failed.length)} not captioned: ${result.failed[0]!.id}: ${result.failed[0]!.message}`);
  return `${parts.join('. ')}.`;
}

function captions(count: number): string {
  return `${count} ${count === 1 ? 'caption' : 'captions'}`;
}

function images(count: number): string {
  return `${count} ${count === 1 ? 'image' : 'images'}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
