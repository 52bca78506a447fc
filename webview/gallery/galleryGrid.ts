import { type TemplateResult, html } from 'lit';
import { ModelView } from '../shared/modelView';
import { classMap } from 'lit/directives/class-map.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleProperties } from '../shared/styleProperties';
import type { GalleryModel } from './galleryModel';
import { isGridNavigationKey, nextSelection } from './gridKeyboard';
import {
  type IndexRange,
  columnCount,
  contentHeight,
  galleryGeometry,
  rowCount,
  rowTop,
  rowsPerViewport,
  scrollTopToCenter,
  scrollTopToReveal,
  visibleRange,
} from './gridLayout';
import type { GridItem } from './itemPages';

/** Rows rendered beyond the viewport on each side, so a short scroll shows no empty band. */
const overscanRows = 1;

export const cellIdPrefix = 'gallery-cell-';

// A cell is four elements (cell, thumbnail, name, meta line); the stars, the "Approved" badge and the
// comparison mark are CSS pseudo-elements fed by attributes and classes, so a big screen of cells stays
// well under the DOM budget. The cell's title spells them out.

/**
 * The virtualized grid: a scroller with a spacer as tall as every row, and only the rows near the viewport
 * rendered, absolutely positioned. It is the focusable `role="grid"`; the selected cell is its
 * `aria-activedescendant`, so focus never moves onto cells that may be recycled while scrolling.
 */
export class GalleryGrid extends ModelView<GalleryModel> {

  private scroller: HTMLElement | null = null;
  private width = 0;
  private height = 0;
  private scrollOffset = 0;
  private resizeObserver: ResizeObserver | null = null;
  private lastViewport = '';

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
  }

  focusGrid(): void {
    this.scroller?.focus({ preventScroll: true });
  }

  private get columns(): number {
    return columnCount(this.width, galleryGeometry);
  }

  private range(overscan: number): IndexRange {
    return visibleRange(this.scrollOffset, this.height, this.model.count, this.columns, galleryGeometry, overscan);
  }

  protected override render(): TemplateResult {
    const model = this.model;
    const columns = this.columns;
    const near = this.range(overscanRows);
    const firstRow = Math.floor(near.start / columns);
    const rows: number[] = [];
    for (let row = firstRow; row * columns < near.end; row++) rows.push(row);
    const selected = model.selectedIndex;
    const activeId = selected !== null && selected >= near.start && selected < near.end ? `${cellIdPrefix}${selected}` : undefined;
    return html`<div
      class=${classMap({ 'grid-scroller': true, picking: model.picking !== null })}
      tabindex="0"
      role="grid"
      aria-label="Images"
      aria-rowcount=${rowCount(model.count, columns)}
      aria-colcount=${columns}
      aria-activedescendant=${ifDefined(activeId)}
      @keydown=${this.onKeyDown}
      @click=${this.onClick}
      @dblclick=${this.onDoubleClick}
    >
      <div class="grid-spacer" ${styleProperties({ height: `${contentHeight(model.count, columns, galleryGeometry)}px` })}>
        ${repeat(
          rows,
          (row) => row,
          (row) => this.renderRow(row, columns),
        )}
      </div>
    </div>`;
  }

  private renderRow(row: number, columns: number): TemplateResult {
    const first = row * columns;
    const last = Math.min(this.model.count, first + columns);
    const cells: TemplateResult[] = [];
    for (let index = first; index < last; index++) cells.push(this.renderCell(index, index - first));
    return html`<div class="grid-row" role="row" aria-rowindex=${row + 1} ${styleProperties({ transform: `translateY(${rowTop(row, galleryGeometry)}px)` })}>
      ${cells}
    </div>`;
  }

  private renderCell(index: number, column: number): TemplateResult {
    const model = this.model;
    const item = model.itemAt(index);
    const selected = index === model.selectedIndex;
    if (!item) {
      return html`<div class="cell loading" id=${cellIdPrefix + index} role="gridcell" aria-colindex=${column + 1} aria-selected=${selected ? 'true' : 'false'} aria-label="Loading…" data-index=${index}>
        <div class="thumb"></div>
      </div>`;
    }
    const mark = model.marked.indexOf(item.path);
    return html`<div
      class=${classMap({ cell: true, selected, marked: mark >= 0, approved: item.approved })}
      id=${cellIdPrefix + index}
      role="gridcell"
      aria-colindex=${column + 1}
      aria-selected=${selected ? 'true' : 'false'}
      aria-label=${item.name}
      title=${cellTitle(item)}
      data-index=${index}
      data-path=${item.path}
      data-mark=${ifDefined(mark >= 0 ? String(mark + 1) : undefined)}
    >
      ${renderThumb(item)}
      <div class="name">${item.name}</div>
      <div class="meta" data-stars=${'★'.repeat(item.rating)}>${item.seed === null ? '' : String(item.seed)}</div>
    </div>`;
  }

  protected override firstUpdated(): void {
    this.scroller = this.querySelector<HTMLElement>('.grid-scroller');
    if (!this.scroller) return;
    this.measure();
    this.scroller.addEventListener('scroll', this.onScroll, { passive: true });
    this.resizeObserver = new ResizeObserver(() => {
      if (this.measure()) this.requestUpdate();
    });
    this.resizeObserver.observe(this.scroller);
    this.requestUpdate();
  }

  protected override updated(): void {
    const scroller = this.scroller;
    if (!scroller || this.height === 0) return;
    const request = this.model.takeScrollRequest();
    if (request) {
      const columns = this.columns;
      const target =
        request.kind === 'offset'
          ? request.top
          : request.kind === 'reveal'
            ? scrollTopToReveal(request.index, columns, this.scrollOffset, this.height, galleryGeometry)
            : scrollTopToCenter(request.index, columns, this.height, galleryGeometry);
      if (target !== scroller.scrollTop) scroller.scrollTop = target;
      // Read back: the browser clamps to the scroll range; render the new rows now rather than on the scroll event.
      if (scroller.scrollTop !== this.scrollOffset) {
        this.scrollOffset = scroller.scrollTop;
        this.model.setScrollTop(this.scrollOffset);
        this.requestUpdate();
      }
    }
    this.reportViewport();
  }

  /** Tells the model which items are on screen and near it, when that changed. */
  private reportViewport(): void {
    const visible = this.range(0);
    const near = this.range(overscanRows);
    const key = `${visible.start}:${visible.end}:${near.start}:${near.end}:${this.model.count}`;
    if (key !== this.lastViewport) {
      this.lastViewport = key;
      this.model.setViewport({ visible, near });
    }
  }

  /** Reads the scroller's size; true when it changed. */
  private measure(): boolean {
    const scroller = this.scroller;
    if (!scroller) return false;
    const width = scroller.clientWidth;
    const height = scroller.clientHeight;
    if (width === this.width && height === this.height) return false;
    this.width = width;
    this.height = height;
    this.lastViewport = '';
    return true;
  }

  private readonly onScroll = (): void => {
    const scroller = this.scroller;
    if (!scroller) return;
    const before = this.range(overscanRows);
    this.scrollOffset = scroller.scrollTop;
    this.model.setScrollTop(this.scrollOffset);
    const after = this.range(overscanRows);
    if (before.start !== after.start || before.end !== after.end) this.requestUpdate();
    else this.reportViewport(); // same rows rendered, but which of them are in view may have changed
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    const model = this.model;
    const selected = model.selectedIndex;
    if (isGridNavigationKey(event.key)) {
      event.preventDefault();
      // The first key selects the first image in view rather than jumping back to the top.
      const visible = this.range(0);
      const next =
        selected === null && visible.end > visible.start && event.key !== 'Home' && event.key !== 'End'
          ? visible.start
          : nextSelection(event.key, selected, model.count, this.columns, rowsPerViewport(this.height, galleryGeometry));
      if (next !== null) model.select(next);
      return;
    }
    if (event.key === 'Enter' && selected !== null) {
      event.preventDefault();
      if (model.picking) model.pick(selected);
      else if (model.selectedPath !== null) model.openDetail(model.selectedPath, selected);
    } else if (event.key === ' ' && selected !== null) {
      event.preventDefault();
      model.toggleMark(selected);
    } else if ((event.key === 'Delete' || event.key === 'Backspace') && model.selectedPath !== null) {
      event.preventDefault();
      void model.act('delete', model.selectedPath);
    } else if (event.key === 'Escape' && !model.picking && model.marked.length > 0) {
      event.preventDefault();
      model.clearMarks();
    }
  };

  private readonly onClick = (event: MouseEvent): void => {
    const index = cellIndex(event);
    if (index === null) return;
    const model = this.model;
    if (model.picking) {
      model.pick(index);
    } else if (event.ctrlKey || event.metaKey) {
      model.toggleMark(index);
      model.select(index);
    } else {
      model.select(index);
    }
  };

  private readonly onDoubleClick = (event: MouseEvent): void => {
    const index = cellIndex(event);
    const path = index === null ? undefined : this.model.itemAt(index)?.path;
    if (index === null || path === undefined || this.model.picking) return;
    this.model.openDetail(path, index);
  };
}

function cellIndex(event: Event): number | null {
  const cell = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-index]') : null;
  const index = cell ? Number(cell.dataset['index']) : Number.NaN;
  return Number.isInteger(index) ? index : null;
}

function renderThumb(item: GridItem): TemplateResult {
  if (item.thumb !== null) return html`<img class="thumb" src=${item.thumb} alt=${item.name} decoding="async" draggable="false" />`;
  if (item.thumbError !== null) return html`<div class="thumb thumb-error" role="img" aria-label=${`No thumbnail: ${item.thumbError}`} title=${item.thumbError}>!</div>`;
  return html`<div class="thumb thumb-pending"></div>`;
}

function cellTitle(item: GridItem): string {
  const parts = [item.name];
  if (item.seed !== null) parts.push(`seed ${item.seed}`);
  if (item.rating > 0) parts.push(`${item.rating} of 5 stars`);
  if (item.approved) parts.push('approved');
  return parts.join(' · ');
}

customElements.define('studionova-gallery-grid', GalleryGrid);
