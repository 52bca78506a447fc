import { type TemplateResult, html, nothing } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import { live } from 'lit/directives/live.js';
import { splitTags } from '../../src/shared/captions/tags';
import type { CaptionConflictInfo, CaptionRow } from '../../src/shared/protocol/captions';
import { styleProperties } from '../shared/styleProperties';
import { lacksTrigger } from './captionSummary';

/** What one row needs besides its data: its state in the editor and where its gestures go. */
export interface RowView {
  readonly top: number;
  readonly selected: boolean;
  readonly trigger: string | null;
  readonly thumb: string | undefined;
  readonly conflict: CaptionConflictInfo | undefined;
  readonly textMode: boolean;
  /** The text being typed in text mode, not yet saved. */
  readonly draft: string | undefined;
  /** Auto-caption's answer so far for this row, while the model writes it. */
  readonly streaming: string | undefined;
  /** The chip being edited, by index. */
  readonly editingChip: number | null;
  readonly readOnly: boolean;
}

export interface RowActions {
  thumbFailed(id: string): void;
  toggleTextMode(id: string): void;
  editChip(id: string, index: number | null): void;
  commitChip(id: string, index: number, text: string): void;
  removeChip(id: string, index: number): void;
  moveChip(id: string, from: number, to: number): void;
  dragChip(id: string, index: number): void;
  dropChip(id: string, index: number): void;
  addTags(id: string, text: string): void;
  suggest(input: HTMLInputElement, id: string): void;
  draft(id: string, text: string): void;
  commitDraft(id: string): void;
  resolve(id: string, keep: 'mine' | 'theirs'): void;
}

export const suggestionListId = 'caption-tag-suggestions';

/**
 * One row: thumbnail, name and marks, then the caption as tag chips (or a text field), an input to
 * add tags, and a conflict line when the disk changed under an unsaved caption. Everything is a Lit
 * binding: caption text is never parsed as HTML.
 */
export function renderCaptionRow(row: CaptionRow, view: RowView, actions: RowActions): TemplateResult {
  const noTrigger = lacksTrigger(row, view.trigger);
  return html`<div
    class=${classMap({ 'caption-row': true, streaming: view.streaming !== undefined, selected: view.selected, missing: row.missing, 'no-trigger': noTrigger, conflicted: view.conflict !== undefined })}
    role="row"
    aria-selected=${view.selected ? 'true' : 'false'}
    aria-label=${row.name}
    data-id=${row.id}
    ${styleProperties({ transform: `translateY(${view.top}px)` })}
  >
    <div class="row-thumb" role="gridcell">
      ${view.thumb ? html`<img class="thumb" src=${view.thumb} alt="" @error=${() => actions.thumbFailed(row.id)} />` : nothing}
    </div>
    <div class="row-body" role="gridcell">
      <div class="row-head">
        <span class="row-name">${row.name}</span>
        ${row.missing ? html`<span class="badge badge-missing">no caption</span>` : nothing}
        ${noTrigger ? html`<span class="badge badge-trigger">no trigger word</span>` : nothing}
        ${row.notUtf8 ? html`<span class="badge badge-missing">not UTF-8: read-only</span>` : nothing}
        <button class="link-button row-mode" title=${view.textMode ? 'Edit as tags' : 'Edit as plain text'} @click=${() => actions.toggleTextMode(row.id)}>
          ${view.textMode ? 'Tags' : 'Text'}
        </button>
      </div>
      ${view.streaming !== undefined
        ? renderStreaming(row, view.streaming)
        : view.conflict
          ? renderConflict(view.conflict, actions)
          : view.textMode ? renderText(row, view, actions) : renderChips(row, view, actions)}
    </div>
  </div>`;
}

function renderStreaming(row: CaptionRow, text: string): TemplateResult {
  return html`<div class="caption-streaming" aria-label=${`Caption of ${row.name}, being written`} aria-busy="true">
    <span class="streaming-text">${text}</span><span class="streaming-cursor" aria-hidden="true"></span>
  </div>`;
}

function renderConflict(conflict: CaptionConflictInfo, actions: RowActions): TemplateResult {
  return html`<div class="conflict" role="alert">
    <span class="conflict-text">Changed on disk: ${conflict.theirs === null ? 'the file is gone or not UTF-8' : `“${conflict.theirs}”`}. Yours: “${conflict.mine}”.</span>
    <button class="keep-mine" @click=${() => actions.resolve(conflict.id, 'mine')}>Keep mine</button>
    <button class="secondary take-theirs" @click=${() => actions.resolve(conflict.id, 'theirs')}>Take theirs</button>
  </div>`;
}

function renderText(row: CaptionRow, view: RowView, actions: RowActions): TemplateResult {
  return html`<textarea
    class="caption-text"
    aria-label=${`Caption of ${row.name}`}
    ?readonly=${view.readOnly || row.notUtf8}
    .value=${live(view.draft ?? row.text)}
    @input=${(event: Event) => actions.draft(row.id, (event.target as HTMLTextAreaElement).value)}
    @blur=${() => actions.commitDraft(row.id)}
    @keydown=${(event: KeyboardEvent) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        // A caption is one line: Enter saves.
        event.preventDefault();
        actions.commitDraft(row.id);
      }
    }}
  ></textarea>`;
}

function renderChips(row: CaptionRow, view: RowView, actions: RowActions): TemplateResult {
  const tags = splitTags(row.text);
  const editable = !view.readOnly && !row.notUtf8;
  return html`<div class="chips" role="list" aria-label=${`Tags of ${row.name}`}>
    ${tags.map((tag, index) => (index === view.editingChip ? renderChipInput(row.id, tag, index, actions) : renderChip(row.id, tag, index, tags.length, editable, view.trigger, actions)))}
    ${editable
      ? html`<input
          class="tag-add"
          type="text"
          list=${suggestionListId}
          placeholder="Add tag…"
          aria-label=${`Add a tag to ${row.name}`}
          @focus=${(event: Event) => actions.suggest(event.target as HTMLInputElement, row.id)}
          @input=${(event: Event) => actions.suggest(event.target as HTMLInputElement, row.id)}
          @keydown=${(event: KeyboardEvent) => {
            const input = event.target as HTMLInputElement;
            if (event.key === 'Enter' && input.value.trim() !== '') {
              event.preventDefault();
              actions.addTags(row.id, input.value);
              input.value = '';
            }
          }}
        />`
      : nothing}
  </div>`;
}

function renderChip(id: string, tag: string, index: number, count: number, editable: boolean, trigger: string | null, actions: RowActions): TemplateResult {
  const isTrigger = trigger !== null && tag.toLowerCase() === trigger.toLowerCase();
  return html`<span
    class=${classMap({ chip: true, trigger: isTrigger })}
    role="listitem"
    draggable=${editable ? 'true' : 'false'}
    @dragstart=${(event: DragEvent) => {
      event.dataTransfer?.setData('text/plain', tag);
      actions.dragChip(id, index);
    }}
    @dragover=${(event: DragEvent) => event.preventDefault()}
    @drop=${(event: DragEvent) => {
      event.preventDefault();
      actions.dropChip(id, index);
    }}
    ><button
      class="chip-text"
      title=${editable ? 'Click to edit · Alt+←/→ to move · Delete to remove' : tag}
      ?disabled=${!editable}
      @click=${() => actions.editChip(id, index)}
      @keydown=${(event: KeyboardEvent) => {
        if (event.altKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
          event.preventDefault();
          const to = index + (event.key === 'ArrowLeft' ? -1 : 1);
          if (to >= 0 && to < count) actions.moveChip(id, index, to);
        } else if (event.key === 'Delete' || event.key === 'Backspace') {
          event.preventDefault();
          actions.removeChip(id, index);
        }
      }}
    >${tag}</button
    >${editable ? html`<button class="chip-remove" aria-label=${`Remove ${tag}`} title="Remove" @click=${() => actions.removeChip(id, index)}>×</button>` : nothing}</span
  >`;
}

function renderChipInput(id: string, tag: string, index: number, actions: RowActions): TemplateResult {
  let done = false;
  const finish = (input: HTMLInputElement, commit: boolean): void => {
    if (done) return;
    done = true;
    if (commit) actions.commitChip(id, index, input.value);
    else actions.editChip(id, null);
  };
  return html`<input
    class="chip-input"
    type="text"
    list=${suggestionListId}
    aria-label=${`Edit tag ${tag}`}
    .value=${tag}
    @input=${(event: Event) => actions.suggest(event.target as HTMLInputElement, id)}
    @blur=${(event: Event) => finish(event.target as HTMLInputElement, true)}
    @keydown=${(event: KeyboardEvent) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        finish(event.target as HTMLInputElement, true);
      } else if (event.key === 'Escape') {
        event.preventDefault();
        finish(event.target as HTMLInputElement, false);
      }
    }}
  />`;
}
