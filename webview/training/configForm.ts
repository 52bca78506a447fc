import { type TemplateResult, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { ModelView } from '../shared/modelView';
import { type FieldSpec, formFields, formGroups } from './formFields';
import type { FormModel, ShownProblem } from './formModel';
import { isOpen, type ViewStateStore } from './viewState';

/** Groups open at first: the rest are for those who know they need them. */
const openByDefault = new Set(['basics', 'network', 'optimizer']);

/**
 * The new-run form: a preset, the parameters in groups, each with what the validator says under
 * it, and Start with a one-line summary of what it will do. Thin: the FormModel holds the state.
 */
export class ConfigForm extends ModelView<FormModel> {
  ui!: ViewStateStore;

  protected override render(): TemplateResult {
    const model = this.model;
    const preset = model.presets.find((p) => p.id === model.preset);
    return html`<header class="page-header">
        <h1>New training run</h1>
        <p class="subtitle">
          Dataset <strong>${model.datasetId}</strong>${model.character ? html` · character <strong>${model.character.name}</strong>` : nothing}
        </p>
      </header>
      <div class="preset-line">
        <label for="training-preset">Preset</label>
        <select id="training-preset" aria-describedby="training-preset-description" @change=${(event: Event) => model.applyPreset((event.target as HTMLSelectElement).value)}>
          ${model.presets.some((p) => p.id === model.preset) ? nothing : html`<option value="" selected>Custom</option>`}
          ${model.presets.map(
            (p) => html`<option value=${p.id} ?selected=${p.id === model.preset} ?disabled=${!p.fits}>${p.label}${p.fits ? '' : ` (beyond ${model.hardware})`}</option>`,
          )}
        </select>
        <span class="hint" id="training-preset-description">${preset?.description ?? ''}</span>
      </div>
      ${this.renderGeneralProblems()}
      ${formGroups.map(
        (group) => html`<details class="section" id=${`group-${group.id}`} ?open=${isOpen(this.ui.state, group.id, openByDefault.has(group.id))} @toggle=${this.toggled(group.id, openByDefault.has(group.id))}>
          <summary>${group.label}</summary>
          <div class="fields">${formFields.filter((spec) => spec.group === group.id).map((spec) => this.renderField(spec))}</div>
        </details>`,
      )}
      <footer class="form-footer">
        <p class="summary" id="training-summary">${model.summary}</p>
        <span class="form-state" id="training-form-state" role="status" aria-live="polite">${this.formState()}</span>
        <span class="spacer"></span>
        <button id="training-start" ?disabled=${!model.canStart} title=${model.trusted ? 'Start the training with these values' : 'Trust this folder to start a training'} @click=${() => void model.start()}>
          ${model.starting ? 'Starting…' : 'Start training'}
        </button>
      </footer>
      ${model.startError !== null ? html`<p class="start-error" id="training-start-error" role="alert">${model.startError}</p>` : nothing}`;
  }

  private renderGeneralProblems(): TemplateResult | typeof nothing {
    const problems = this.model.generalProblems;
    if (problems.length === 0) return nothing;
    return html`<ul class="general-problems" id="training-general-problems">
      ${problems.map((p) => html`<li class=${`problem ${p.severity}`}>${p.message}</li>`)}
    </ul>`;
  }

  private renderField(spec: FieldSpec): TemplateResult {
    const model = this.model;
    const id = `field-${spec.key}`;
    const problems = model.problemsFor(spec.key);
    const invalid = problems.some((p) => p.severity === 'error');
    const describedBy = [spec.hint ? `${id}-hint` : '', problems.length > 0 ? `${id}-problems` : ''].filter(Boolean).join(' ');
    const value = model.value(spec.key);
    const onInput = (event: Event): void => model.set(spec.key, (event.target as HTMLInputElement).value);
    let control: TemplateResult;
    switch (spec.kind) {
      case 'toggle':
        control = html`<input
          type="checkbox"
          id=${id}
          .checked=${live(value === true)}
          aria-describedby=${describedBy || nothing}
          @change=${(event: Event) => model.set(spec.key, (event.target as HTMLInputElement).checked)}
        />`;
        break;
      case 'choice':
        control = html`<select id=${id} aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${describedBy || nothing} @change=${onInput}>
          ${spec.choices!.map((choice) => html`<option value=${choice.value} ?selected=${choice.value === value}>${choice.label}</option>`)}
        </select>`;
        break;
      case 'lines':
        control = html`<textarea
          id=${id}
          rows="4"
          spellcheck="false"
          aria-invalid=${invalid ? 'true' : 'false'}
          aria-describedby=${describedBy || nothing}
          .value=${live(String(value))}
          @input=${onInput}
        ></textarea>`;
        break;
      default:
        control = html`<input
          type="text"
          id=${id}
          class=${spec.kind === 'text' ? 'wide' : 'number'}
          inputmode=${spec.kind === 'whole' ? 'numeric' : spec.kind === 'decimal' ? 'decimal' : nothing}
          spellcheck="false"
          aria-invalid=${invalid ? 'true' : 'false'}
          aria-describedby=${describedBy || nothing}
          .value=${live(String(value))}
          @input=${onInput}
        />`;
    }
    return html`<div class=${`field field-${spec.kind}${invalid ? ' invalid' : ''}`}>
      <label for=${id}>${spec.label}</label>
      <div class="control">
        ${control} ${spec.hint ? html`<span class="hint" id=${`${id}-hint`}>${spec.hint}</span>` : nothing}
        ${problems.length > 0 ? html`<ul class="problems" id=${`${id}-problems`}>${problems.map(renderProblem)}</ul>` : nothing}
      </div>
    </div>`;
  }

  private formState(): string {
    const model = this.model;
    if (!model.trusted) return 'This folder is not trusted: a training cannot start here.';
    if (model.validating) return 'Checking…';
    const errors = model.errorCount;
    if (errors > 0) return `${errors} ${errors === 1 ? 'problem stops' : 'problems stop'} the start`;
    return '';
  }

  /** Lit's first render fires `toggle` too: only a change is the user's. */
  private toggled(section: string, byDefault: boolean): (event: Event) => void {
    return (event) => {
      const open = (event.target as HTMLDetailsElement).open;
      if (open !== isOpen(this.ui.state, section, byDefault)) this.ui.setOpen(section, open);
    };
  }
}

function renderProblem(problem: ShownProblem): TemplateResult {
  return html`<li class=${`problem ${problem.severity}`}><span class="problem-kind">${problem.severity === 'error' ? 'Error' : 'Warning'}:</span> ${problem.message}</li>`;
}

customElements.define('studionova-training-form', ConfigForm);
