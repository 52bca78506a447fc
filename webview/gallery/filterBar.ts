// Selects are vscode-elements; the toggles and text fields are native, dressed with --vscode-* variables:
// vscode-checkbox and vscode-textfield would add 18 KiB to a bundle with a 150 KiB budget.
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { type TemplateResult, html, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import type { GalleryFilter, GallerySummary } from '../../src/shared/protocol/gallery';
import { type FacetLabels, type FacetList, type SelectOption, allValue, facetOptions, sortOptions, withPage, withSort, withTextField, withToggle } from './filterFacets';

export interface FilterBarProps {
  readonly filter: GalleryFilter;
  readonly summary: GallerySummary;
  readonly labels: FacetLabels;
  /** What the search field shows: the typed text, which reaches the filter only after a pause. */
  readonly searchText: string;
  onFilter(filter: GalleryFilter): void;
  onSearchInput(text: string): void;
}

/** The filter bar; every control has the id `filter-<field>` and an accessible name equal to its visible label. */
export function renderFilterBar(props: FilterBarProps): TemplateResult {
  const { filter, summary } = props;
  const select = (field: 'character' | 'chapter' | 'lora' | 'checkpoint', label: string, list: FacetList): TemplateResult =>
    renderSelect(field, label, facetOptions(summary[list], filter[field], props.labels.labelOf(list, filter[field])), filter[field] ?? allValue, (value) =>
      props.onFilter(withTextField(filter, field, value)),
    );
  const date = (field: 'from' | 'to', label: string): TemplateResult => html`<label class="filter">
    <span class="filter-label">${label}</span>
    <input
      id=${`filter-${field}`}
      class="input"
      type="date"
      .value=${live(filter[field] ?? '')}
      @change=${(event: Event) => props.onFilter(withTextField(filter, field, (event.currentTarget as HTMLInputElement).value))}
    />
  </label>`;
  return html`<div class="filters" role="search" aria-label="Filter images">
    ${select('character', 'Character', 'characters')} ${select('chapter', 'Chapter', 'chapters')}
    ${filter.chapter === undefined
      ? nothing
      : renderSelect('page', 'Page', facetOptions(summary.pages, filter.page?.toString(), props.labels.labelOf('pages', filter.page?.toString())), filter.page?.toString() ?? allValue, (value) =>
          props.onFilter(withPage(filter, value)),
        )}
    ${select('lora', 'LoRA', 'loras')} ${select('checkpoint', 'Checkpoint', 'checkpoints')} ${date('from', 'From')} ${date('to', 'To')}
    <label class="filter filter-search">
      <span class="filter-label">Search prompts</span>
      <input
        id="filter-text"
        class="input"
        type="search"
        placeholder="Words in prompts or names"
        .value=${live(props.searchText)}
        @input=${(event: Event) => props.onSearchInput((event.currentTarget as HTMLInputElement).value)}
      />
    </label>
    ${renderSelect('sort', 'Sort', sortOptions, filter.sort, (value) => props.onFilter(withSort(filter, value)))}
  </div>`;
}

function renderSelect(field: string, label: string, options: readonly SelectOption[], value: string, onChange: (value: string) => void): TemplateResult {
  return html`<div class="filter">
    <span class="filter-label">${label}</span>
    <vscode-single-select id=${`filter-${field}`} label=${label} @change=${(event: Event) => onChange((event.currentTarget as VscodeSingleSelect).value)}>
      ${repeat(
        options,
        (option) => option.value,
        // keyed: a new text node when a count changes, so the select hears of it (it watches slot changes, not text).
        (option) => html`<vscode-option value=${option.value} ?selected=${option.value === value}>${keyed(option.label, option.label)}</vscode-option>`,
      )}
    </vscode-single-select>
  </div>`;
}

/** The two toggles, on the line below the filters, with the count; each narrows to images that have the property. */
export function renderFilterToggles(props: FilterBarProps): TemplateResult {
  const { filter, summary } = props;
  // A toggle button rather than a checkbox: "show only approved", pressed or not.
  const toggle = (field: 'approved' | 'upscaled', label: string, count: number): TemplateResult => html`<button
    type="button"
    id=${`filter-${field}`}
    class="toggle"
    aria-pressed=${filter[field] === true ? 'true' : 'false'}
    @click=${() => props.onFilter(withToggle(filter, field, filter[field] !== true))}
  >
    ${label} (${count})
  </button>`;
  return html`<span class="filter-toggles">${toggle('approved', 'Approved', summary.approved)} ${toggle('upscaled', 'Upscaled', summary.upscaled)}</span>`;
}
