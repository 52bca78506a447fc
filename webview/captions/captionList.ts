import { type TemplateResult, html } from 'lit';
import { ModelView } from '../shared/modelView';
import { repeat } from 'lit/directives/repeat.js';
import { captionsProtocol } from '../../src/shared/protocol/captions';
import { debounce } from '../shared/debounce';
import { host } from '../shared/host';
import { styleProperties } from '../shared/styleProperties';
import { appendTags, moveTagTo, removeTagAt, replaceTagAt } from './captionText';
import { type RowActions, renderCaptionRow } from './captionRow';
import type { CaptionsModel } from './captionsModel';
import { captionRowHeight, listHeight, visibleRows } from './listLayout';

/** Rows rendered beyond the viewport on each side, so a short scroll shows no empty band. */
const overscanRows = 2;
/** Typing in a row's text field is saved after this pause (and on blur or Enter), not per key. */
const draftSaveMs = 500;
const thumbWishMs = 80;

/**
 * The virtualized list of rows: a scroller with a spacer as tall as every row, and only the rows
 * near the viewport rendered, absolutely positioned. Row gestures become model calls here.
 */
export class CaptionList extends ModelView<CaptionsModel> {

  private scroller: HTMLElement | null = null;
  private height = 0;
  private scrollOffset = 0;
  private resizeObserver: ResizeObserver | null = null;
  private editing: { id: string; index: number } | null = null;
  private dragging: { id: string; index: number } | null = null;
  private readonly drafts = new Map<string, string>();
  /** The text each draft was typed over: the host refuses the draft as a conflict if the caption changed since. */
  private readonly draftBases = new Map<string, string>();
  private draftId: string | null = null;
  private readonly saveDraft = debounce(() => this.flushDraft(), draftSaveMs);
  private wished = '';
  private readonly wishThumbs = debounce(() => this.sendThumbWish(), thumbWishMs);

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.saveDraft.flush();
  }

  /** Saves the text being typed now (before the webview is hidden and torn down). */
  flush(): void {
    this.saveDraft.flush();
  }

  protected override firstUpdated(): void {
    this.scroller = this.querySelector('.list-scroller');
    if (!this.scroller) return;
    this.height = this.scroller.clientHeight;
    this.resizeObserver = new ResizeObserver(() => {
      if (!this.scroller || this.scroller.clientHeight === this.height) return;
      this.height = this.scroller.clientHeight;
      this.requestUpdate();
    });
    this.resizeObserver.observe(this.scroller);
    this.scroller.addEventListener('scroll', () => {
      this.scrollOffset = this.scroller?.scrollTop ?? 0;
      this.requestUpdate();
    }, { passive: true });
    this.requestUpdate();
  }

  protected override updated(): void {
    this.wishThumbs.schedule();
    const input = this.querySelector<HTMLInputElement>('.chip-input');
    if (input && document.activeElement !== input) {
      input.focus();
      input.select();
    }
  }

  protected override render(): TemplateResult {
    const model = this.model;
    const range = visibleRows(this.scrollOffset, this.height, model.rows.length, captionRowHeight, overscanRows);
    const shown = model.rows.slice(range.start, range.end);
    return html`<div
      class="list-scroller"
      role="grid"
      aria-label="Captions"
      aria-multiselectable="true"
      aria-rowcount=${model.rows.length}
      @click=${this.onClick}
    >
      <div class="list-spacer" ${styleProperties({ height: `${listHeight(model.rows.length, captionRowHeight)}px` })}>
        ${repeat(
          shown,
          (row) => row.id,
          (row, offset) =>
            renderCaptionRow(
              row,
              {
                top: (range.start + offset) * captionRowHeight,
                selected: model.selection.selected.has(row.id),
                trigger: model.trigger,
                thumb: model.thumbs.get(row.id),
                conflict: model.conflicts.get(row.id),
                textMode: model.textMode.has(row.id),
                draft: this.drafts.get(row.id),
                streaming: model.auto.streaming.get(row.id),
                editingChip: this.editing?.id === row.id ? this.editing.index : null,
                readOnly: model.readOnly,
              },
              this.actions,
            ),
        )}
      </div>
    </div>`;
  }

  private readonly onClick = (event: MouseEvent): void => {
    const target = event.target as HTMLElement;
    // Clicks on the row's own controls are theirs; the rest of the row selects it.
    if (target.closest('button, input, textarea, .chip')) return;
    const id = target.closest<HTMLElement>('.caption-row')?.dataset['id'];
    if (id === undefined) return;
    this.model.click(id, { range: event.shiftKey, toggle: event.ctrlKey || event.metaKey });
  };

  private readonly actions: RowActions = {
    thumbFailed: (id) => this.model.thumbFailed(id),
    toggleTextMode: (id) => {
      if (this.draftId === id) this.saveDraft.flush();
      this.model.toggleTextMode(id);
    },
    editChip: (id, index) => {
      this.editing = index === null ? null : { id, index };
      this.requestUpdate();
    },
    commitChip: (id, index, text) => {
      this.editing = null;
      this.requestUpdate();
      const row = this.model.row(id);
      if (row) void this.model.setCaption(id, replaceTagAt(row.text, index, text), row.text);
    },
    removeChip: (id, index) => this.edit(id, (text) => removeTagAt(text, index)),
    moveChip: (id, from, to) => {
      this.edit(id, (text) => moveTagTo(text, from, to));
      // Keep the keyboard on the moved tag, once the row shows its new order.
      void this.updateComplete.then(() => this.querySelector<HTMLElement>(`.caption-row[data-id="${CSS.escape(id)}"] .chip:nth-child(${to + 1}) .chip-text`)?.focus());
    },
    dragChip: (id, index) => (this.dragging = { id, index }),
    dropChip: (id, index) => {
      const from = this.dragging;
      this.dragging = null;
      // Tags move within their caption; a drop on another row is not a move.
      if (from && from.id === id && from.index !== index) this.edit(id, (text) => moveTagTo(text, from.index, index));
    },
    addTags: (id, text) => this.edit(id, (caption) => appendTags(caption, text)),
    suggest: (input, id) => this.model.suggest(input.value, this.model.tagsOf(id)),
    draft: (id, text) => {
      if (this.draftId !== null && this.draftId !== id) this.saveDraft.flush();
      this.draftId = id;
      if (!this.draftBases.has(id)) this.draftBases.set(id, this.model.row(id)?.text ?? '');
      this.drafts.set(id, text);
      this.saveDraft.schedule();
    },
    commitDraft: (id) => {
      if (this.draftId === id) this.saveDraft.flush();
    },
    resolve: (id, keep) => void this.model.resolve(id, keep),
  };

  private edit(id: string, change: (text: string) => string): void {
    const row = this.model.row(id);
    if (row) void this.model.setCaption(id, change(row.text), row.text);
  }

  private flushDraft(): void {
    const id = this.draftId;
    if (id === null) return;
    const text = this.drafts.get(id);
    this.draftId = null;
    if (text === undefined) return;
    const base = this.draftBases.get(id) ?? this.model.row(id)?.text ?? '';
    // Typing that goes on starts from this text.
    this.draftBases.set(id, text);
    // The draft is shown until the save answers, so the field does not jump back to the old text.
    void this.model.setCaption(id, text, base).finally(() => {
      if (this.drafts.get(id) === text) {
        this.drafts.delete(id);
        this.draftBases.delete(id);
      }
      this.requestUpdate();
    });
  }

  private sendThumbWish(): void {
    const model = this.model;
    const range = visibleRows(this.scrollOffset, this.height, model.rows.length, captionRowHeight, overscanRows);
    const ids = model.rows.slice(range.start, range.end).filter((row) => !model.thumbs.has(row.id)).map((row) => row.id);
    const key = ids.join('\n');
    if (key === this.wished) return;
    this.wished = key;
    if (ids.length > 0) host.command(captionsProtocol.wantThumbs, { ids });
  }
}

customElements.define('studionova-caption-list', CaptionList);
