import { type TemplateResult, html, nothing } from 'lit';
import { ModelView } from '../shared/modelView';
import type { CaptionEdit } from '../../src/shared/captions/captionEdits';
import { renderAutoCaptionForm, renderAutoCaptionProgress } from './autoCaptionForm';
import type { CaptionList } from './captionList';
import './captionList';
import { suggestionListId } from './captionRow';
import { countLabel } from './captionSummary';
import type { CaptionsModel } from './captionsModel';

/**
 * The caption editor: a toolbar of batch edits over the selection (or every row), undo and redo,
 * the virtualized list, and a status line. Thin: it renders the model and forwards gestures.
 */
export class CaptionsApp extends ModelView<CaptionsModel> {

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this.onKeyDown);
  }

  /** Saves what is being typed (the panel is about to be hidden). */
  flush(): void {
    this.querySelector<CaptionList>('studionova-caption-list')?.flush();
  }

  protected override render(): TemplateResult {
    const model = this.model;
    const selected = model.selection.selected.size;
    // One change at a time: the next batch starts from what the last one wrote.
    const locked = model.busy || model.saving !== null || model.readOnly;
    return html`<header class="toolbar">
        <div class="toolbar-line">
          <strong class="dataset-name">${model.datasetId}</strong>
          <span class="count" id="captions-count">${countLabel(model.rows)}</span>
          <span class="scope" id="captions-scope">${selected > 0 ? `${selected} selected — batch edits apply to them` : 'Nothing selected — batch edits apply to all'}</span>
          <span class="spacer"></span>
          ${renderAutoCaptionProgress(model.auto)}
          <button
            id="captions-autocaption"
            title="Caption images with a local vision model in Ollama"
            ?disabled=${locked || model.auto.running}
            @click=${() => void model.auto.open()}
          >
            Auto-caption…
          </button>
          <button class="secondary" id="captions-select-all" @click=${() => model.selectAll()}>Select all</button>
          <button class="secondary" id="captions-clear-selection" ?disabled=${selected === 0} @click=${() => model.clearSelection()}>Clear selection</button>
          <button class="secondary" id="captions-undo" title="Undo (Ctrl+Z)" ?disabled=${!model.canUndo || locked} @click=${() => void model.undo()}>Undo</button>
          <button class="secondary" id="captions-redo" title="Redo (Ctrl+Shift+Z)" ?disabled=${!model.canRedo || locked} @click=${() => void model.redo()}>Redo</button>
        </div>
        <div class="toolbar-line">
          <button
            id="captions-prepend-trigger"
            title=${model.trigger ? `Make ${model.trigger} the first tag` : 'The dataset names no trigger word'}
            ?disabled=${!model.trigger || locked}
            @click=${this.prependTrigger}
          >
            Prepend trigger
          </button>
          <span class="group">
            <input id="captions-tag" type="text" list=${suggestionListId} placeholder="Tag" aria-label="Tag to add or remove" @input=${this.suggestForToolbar} @focus=${this.suggestForToolbar} />
            <button id="captions-add-tag" ?disabled=${locked} @click=${() => this.tagEdit('addTag')}>Add tag</button>
            <button id="captions-remove-tag" ?disabled=${locked} @click=${() => this.tagEdit('removeTag')}>Remove tag</button>
          </span>
          <span class="group">
            <input id="captions-find" type="text" placeholder="Find" aria-label="Find" />
            <input id="captions-replace-with" type="text" placeholder="Replace with" aria-label="Replace with" />
            <label title="Regular expression"><input id="captions-regex" type="checkbox" />.*</label>
            <label title="Match case"><input id="captions-case" type="checkbox" />Aa</label>
            <button id="captions-replace" ?disabled=${locked} @click=${this.replace}>Replace</button>
          </span>
        </div>
        ${model.auto.formOpen && !model.readOnly
          ? renderAutoCaptionForm(model.auto, { trigger: model.trigger, captionClass: model.captionClass, selected: [...model.selection.selected] })
          : nothing}
      </header>
      <main class="list-area"><studionova-caption-list .model=${model}></studionova-caption-list></main>
      <footer id="captions-status" class=${model.status?.error ? 'status error' : 'status'} role="status" aria-live="polite">
        ${model.readOnly ? 'Read-only: this folder is not trusted. ' : nothing}${model.status?.text ?? ''}
      </footer>
      <datalist id=${suggestionListId}>${model.suggested.map((entry) => html`<option value=${entry.tag}>${entry.count}</option>`)}</datalist>`;
  }

  private readonly prependTrigger = (): void => {
    const trigger = this.model.trigger;
    if (!trigger) return;
    void this.model.apply({ kind: 'prependTrigger', trigger }, (n) => `Prepended ${trigger} to ${n}`, `Every caption already starts with ${trigger}`);
  };

  private tagEdit(kind: 'addTag' | 'removeTag'): void {
    const tag = this.value('#captions-tag').trim();
    const edit: CaptionEdit = { kind, tag };
    if (kind === 'addTag') void this.model.apply(edit, (n) => `Added “${tag}” to ${n}`, `Every caption already has “${tag}”`);
    else void this.model.apply(edit, (n) => `Removed “${tag}” from ${n}`, `No caption has “${tag}”`);
  }

  private readonly replace = (): void => {
    const edit: CaptionEdit = {
      kind: 'replace',
      find: this.value('#captions-find'),
      replace: this.value('#captions-replace-with'),
      regex: this.checked('#captions-regex'),
      caseSensitive: this.checked('#captions-case'),
    };
    void this.model.apply(edit, (n) => `Replaced in ${n}`, 'No caption matches');
  };

  private readonly suggestForToolbar = (event: Event): void => {
    this.model.suggest((event.target as HTMLInputElement).value, []);
  };

  private value(selector: string): string {
    return this.querySelector<HTMLInputElement>(selector)?.value ?? '';
  }

  private checked(selector: string): boolean {
    return this.querySelector<HTMLInputElement>(selector)?.checked ?? false;
  }

  /** Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y and Ctrl+A act on captions only outside text fields, which keep their own. */
  private readonly onKeyDown = (event: KeyboardEvent): void => {
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea, [contenteditable]')) return;
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === 'z' && !event.shiftKey) void this.model.undo();
    else if ((key === 'z' && event.shiftKey) || key === 'y') void this.model.redo();
    else if (key === 'a') this.model.selectAll();
    else return;
    event.preventDefault();
  };
}

customElements.define('studionova-captions', CaptionsApp);
