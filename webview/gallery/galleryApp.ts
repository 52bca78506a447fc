import '@vscode-elements/elements/dist/vscode-button/index.js';
import { type TemplateResult, html, nothing } from 'lit';
import { ModelView } from '../shared/modelView';
import { debounce } from '../shared/debounce';
import { renderCompareView } from './compareView';
import { renderDetailView } from './detailView';
import { type FilterBarProps, renderFilterBar, renderFilterToggles } from './filterBar';
import { countLabel, isNarrowed, normalizeSearchText, withTextField } from './filterFacets';
import type { GalleryGrid } from './galleryGrid';
import './galleryGrid';
import type { GalleryModel } from './galleryModel';

/** Typing in the search field re-queries once the user pauses. */
const searchDelayMs = 200;

type Overlay = 'detail' | 'compare' | null;

/**
 * The gallery panel: filter bar, grid, and the detail and compare views over it. Thin: it renders the
 * model and forwards the user's gestures; focus moves into a view when it opens and back to the grid after.
 */
export class GalleryApp extends ModelView<GalleryModel> {

  /** What the search field shows; it reaches the filter after a pause. */
  private searchText = '';
  private lastFilterText: string | null = null;
  private shownOverlay: Overlay = null;
  private readonly applySearch = debounce(() => this.model.setFilter(withTextField(this.model.filter, 'text', this.searchText)), searchDelayMs);

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKeyDown);
  }

  protected override render(): TemplateResult {
    const model = this.model;
    // The search field follows the filter when something else changed its text (Clear filters, a reveal),
    // but keeps what is being typed (trailing space included) when the change is the search itself.
    const filterText = model.filter.text ?? '';
    if (filterText !== this.lastFilterText) {
      this.lastFilterText = filterText;
      if (normalizeSearchText(this.searchText) !== filterText) this.searchText = filterText;
    }
    const overlay = model.compare ? 'compare' : model.detail ? 'detail' : null;
    const filterProps: FilterBarProps = {
      filter: model.filter,
      summary: model.summary,
      labels: model.facetLabels,
      searchText: this.searchText,
      onFilter: (filter) => {
        // A search still waiting for its pause goes with this change.
        this.applySearch.cancel();
        model.setFilter(withTextField(filter, 'text', this.searchText));
      },
      onSearchInput: (text) => {
        this.searchText = text;
        this.applySearch.schedule();
      },
    };
    return html`<div class="gallery-main" ?inert=${overlay !== null}>
        <header class="toolbar">
          ${renderFilterBar(filterProps)}
          <div class="toolbar-line">
            ${renderFilterToggles(filterProps)}
            <span class="count" id="gallery-count">${model.countKnown ? countLabel(model.summary.matching, model.summary.total) : 'Loading…'}</span>
            ${this.renderMarks()}
          </div>
          ${model.picking
            ? html`<div class="banner" id="gallery-picking" role="status">
                <span>Pick an image to compare with ${model.picking.name} (Esc cancels)</span>
                <vscode-button secondary @click=${() => model.cancelPicking()}>Cancel</vscode-button>
              </div>`
            : nothing}
        </header>
        <main class="grid-area">
          <studionova-gallery-grid .model=${model}></studionova-gallery-grid>
          ${this.renderEmptyState()}
        </main>
        <footer class=${model.status?.error ? 'status error' : 'status'} role="status" aria-live="polite">${overlay === null ? (model.status?.text ?? '') : ''}</footer>
      </div>
      ${model.detail && !model.compare
        ? renderDetailView({
            detail: model.detail,
            count: model.count,
            status: model.status,
            onClose: () => model.closeDetail(),
            onAdjacent: (delta) => void model.showAdjacent(delta),
            onCompareWith: () => model.startPicking(),
            onRate: (stars) => void model.rate(stars),
            onAct: (action) => void model.act(action),
          })
        : nothing}
      ${model.compare ? renderCompareView({ compare: model.compare, onClose: () => model.closeCompare(), onSwap: () => model.swapCompare() }) : nothing}`;
  }

  private renderMarks(): TemplateResult | typeof nothing {
    const marked = this.model.marked.length;
    if (marked === 0) return nothing;
    return html`<span class="marks">
      ${marked === 2
        ? html`<vscode-button id="gallery-compare-marked" @click=${() => this.model.compareMarked()}>Compare</vscode-button>`
        : html`<span class="hint">1 image marked — Ctrl/Cmd+click or Space marks a second to compare</span>`}
      <vscode-button secondary @click=${() => this.model.clearMarks()}>Clear marks</vscode-button>
    </span>`;
  }

  private renderEmptyState(): TemplateResult | typeof nothing {
    const model = this.model;
    if (!model.countKnown || model.count > 0) return nothing;
    if (model.summary.total === 0 && !isNarrowed(model.filter)) {
      return html`<div class="empty-state" id="gallery-empty"><p>No images yet — generate a panel or drop images into output/.</p></div>`;
    }
    return html`<div class="empty-state" id="gallery-empty">
      <p>No image matches these filters.</p>
      <vscode-button id="gallery-clear-filters" @click=${() => model.clearFilters()}>Clear filters</vscode-button>
    </div>`;
  }

  protected override updated(): void {
    const overlay: Overlay = this.model.compare ? 'compare' : this.model.detail ? 'detail' : null;
    if (overlay === this.shownOverlay) return;
    this.shownOverlay = overlay;
    if (overlay === null) {
      this.querySelector<GalleryGrid>('studionova-gallery-grid')?.focusGrid();
    } else {
      const dialog = this.querySelector<HTMLElement>('[role="dialog"]');
      if (dialog && !dialog.contains(document.activeElement)) dialog.focus();
    }
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return;
    const model = this.model;
    if (model.compare) model.closeCompare();
    else if (model.detail) model.closeDetail();
    else if (model.picking) model.cancelPicking();
    else return;
    event.preventDefault();
    event.stopPropagation();
  };
}

customElements.define('studionova-gallery', GalleryApp);
