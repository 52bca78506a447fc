import { type TemplateResult, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import type { AutoCaptionModel, AutoCaptionScopeChoice } from './autoCaptionModel';

export interface AutoCaptionFormView {
  readonly trigger: string | null;
  readonly captionClass: string;
  /** Rows selected now: the "Selected images" scope. */
  readonly selected: readonly string[];
}

/**
 * Auto-caption's inline form under the toolbar: the vision model (or why there is none), the
 * prompt template with its variables explained, and which images to caption.
 */
export function renderAutoCaptionForm(auto: AutoCaptionModel, view: AutoCaptionFormView): TemplateResult {
  const canStart = !auto.running && !auto.loadingModels && auto.model !== '' && auto.template.trim() !== '';
  return html`<section id="autocaption-form" class="autocaption-form" aria-label="Auto-caption">
    <div class="form-line">
      <label for="autocaption-model">Vision model</label>
      ${renderModelChoice(auto)}
      <button class="secondary" id="autocaption-refresh" title="Ask Ollama again" ?disabled=${auto.loadingModels} @click=${() => void auto.loadModels()}>Refresh</button>
    </div>
    <div class="form-line">
      <label class="form-label" for="autocaption-template">Prompt</label>
      ${auto.templateChanged
        ? html`<button class="link-button" id="autocaption-default-prompt" title="Put the default prompt back" @click=${() => auto.resetTemplate()}>Default prompt</button>`
        : nothing}
    </div>
    <textarea
      id="autocaption-template"
      rows="8"
      spellcheck="false"
      .value=${live(auto.template)}
      @input=${(event: Event) => auto.set({ template: (event.target as HTMLTextAreaElement).value })}
    ></textarea>
    <p class="hint" id="autocaption-hint">
      <code>{trigger}</code> becomes ${view.trigger ? html`<strong>${view.trigger}</strong>` : 'the trigger word (this dataset names none)'}, <code>{class}</code> becomes
      <strong>${view.captionClass}</strong>, and <code>{existing}</code> the image's current caption; a line whose variables are all empty (no caption yet) is
      left out. The answer is cleaned into one line of tags that starts with the trigger word.
    </p>
    <div class="form-line" role="radiogroup" aria-label="Images to caption">
      ${renderScope(auto, 'uncaptioned', 'Images without a caption')}
      ${renderScope(auto, 'selected', `Selected images (${view.selected.length})`, view.selected.length === 0)}
      <span class="spacer"></span>
      <button id="autocaption-start" ?disabled=${!canStart} @click=${() => void auto.start(view.selected)}>Caption</button>
      <button class="secondary" id="autocaption-close" @click=${() => auto.close()}>Close</button>
    </div>
  </section>`;
}

function renderModelChoice(auto: AutoCaptionModel): TemplateResult {
  if (auto.loadingModels) return html`<span class="models-note">Asking Ollama…</span>`;
  if (auto.modelsError !== null) return html`<span class="models-note error" id="autocaption-models-error" role="alert">${auto.modelsError}</span>`;
  return html`<select id="autocaption-model" @change=${(event: Event) => auto.set({ model: (event.target as HTMLSelectElement).value })}>
    ${auto.models.map(
      (model) => html`<option value=${model.name} ?selected=${model.name === auto.model}>${model.name}${model.parameterSize ? ` · ${model.parameterSize}` : nothing}</option>`,
    )}
  </select>`;
}

function renderScope(auto: AutoCaptionModel, scope: AutoCaptionScopeChoice, label: string, disabled = false): TemplateResult {
  return html`<label class="scope-choice"
    ><input
      type="radio"
      name="autocaption-scope"
      id=${`autocaption-scope-${scope}`}
      .checked=${live(auto.scope === scope)}
      ?disabled=${disabled}
      @change=${() => auto.set({ scope })}
    />${label}</label
  >`;
}

/** While a run goes on: where it is, and the way to stop it. */
export function renderAutoCaptionProgress(auto: AutoCaptionModel): TemplateResult | typeof nothing {
  if (!auto.running || auto.progress === null) return nothing;
  const { done, total, current } = auto.progress;
  return html`<span class="group autocaption-progress" id="autocaption-progress">
    <progress max=${total} .value=${done}></progress>
    <span>${current === null ? `${done} of ${total}` : `${current} · ${done + 1} of ${total}`}</span>
    <button class="secondary" id="autocaption-cancel" @click=${() => auto.cancel()}>Cancel</button>
  </span>`;
}
