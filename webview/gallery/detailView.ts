import '@vscode-elements/elements/dist/vscode-button/index.js';
import { type TemplateResult, html, nothing } from 'lit';
import type { GalleryAction, GalleryDetail } from '../../src/shared/protocol/gallery';
import type { DetailState, StatusLine } from './galleryModel';

/** Button labels of the actions the host offers; the e2e tests find the buttons by these names. */
export const actionLabels: Readonly<Record<GalleryAction, string>> = {
  rerun: 'Re-run',
  rerunNewSeed: 'Re-run with new seed',
  copyPrompt: 'Copy prompt',
  openPrompt: 'Open prompt file',
  approve: 'Approve',
  unapprove: 'Withdraw approval',
  reveal: 'Reveal file',
  openImage: 'Open image',
  describe: 'Describe as prompt',
  delete: 'Delete…',
};

export interface DetailViewProps {
  readonly detail: DetailState;
  readonly count: number;
  readonly status: StatusLine | null;
  onClose(): void;
  onAdjacent(delta: -1 | 1): void;
  onCompareWith(): void;
  onRate(stars: number): void;
  onAct(action: GalleryAction): void;
}

export function renderDetailView(props: DetailViewProps): TemplateResult {
  const { detail } = props;
  const index = detail.index;
  const known = index !== null && index >= 0;
  const name = detail.data?.item.name ?? detail.path.split('/').pop() ?? detail.path;
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    // Arrows inside a field or a text selection belong to it.
    if (event.target instanceof HTMLElement && event.target.closest('input, textarea, vscode-textfield')) return;
    event.preventDefault();
    props.onAdjacent(event.key === 'ArrowLeft' ? -1 : 1);
  };
  return html`<div class="overlay detail-view" role="dialog" aria-modal="true" aria-label="Image details" tabindex="-1" @keydown=${onKeyDown}>
    <div class="overlay-bar">
      <vscode-button secondary id="detail-previous" ?disabled=${!known || index === 0} @click=${() => props.onAdjacent(-1)}>Previous</vscode-button>
      <vscode-button secondary id="detail-next" ?disabled=${!known || index >= props.count - 1} @click=${() => props.onAdjacent(1)}>Next</vscode-button>
      <h2 class="overlay-title" title=${detail.path}>${name}</h2>
      <span class="position">${known ? `${index + 1} of ${props.count}` : ''}</span>
      <vscode-button secondary id="detail-compare" ?disabled=${!detail.data} @click=${props.onCompareWith}>Compare with…</vscode-button>
      <vscode-button secondary id="detail-close" @click=${props.onClose}>Close</vscode-button>
    </div>
    ${detail.data ? renderBody(detail.data, props) : html`<p class="overlay-message">${detail.error ?? 'Loading…'}</p>`}
  </div>`;
}

function renderBody(data: GalleryDetail, props: DetailViewProps): TemplateResult {
  const item = data.item;
  return html`<div class="detail-body">
    <div class="detail-image">
      <img src=${data.image} alt=${item.name} />
    </div>
    <div class="detail-info">
      <p class="detail-facts">
        ${data.width !== null && data.height !== null ? `${data.width} × ${data.height}` : ''} ${item.seed === null ? '' : ` · seed ${item.seed}`}
        ${item.approved ? html`<span class="badge">Approved</span>` : nothing}
      </p>
      ${renderRating(item.rating, props.onRate)}
      <section>
        <h3>Prompt</h3>
        <p class="prompt selectable" id="detail-prompt">${data.prompt ?? '—'}</p>
      </section>
      <section>
        <h3>Negative prompt</h3>
        <p class="prompt selectable" id="detail-negative">${data.negative ?? '—'}</p>
      </section>
      ${data.fields.length === 0
        ? nothing
        : html`<table class="fields">
            <tbody>
              ${data.fields.map((field) => html`<tr><th scope="row">${field.label}</th><td class="selectable">${field.value}</td></tr>`)}
            </tbody>
          </table>`}
      <p class="origin">Parameters from ${data.origin}</p>
      <div class="actions">
        ${data.actions.map(
          (action) =>
            html`<vscode-button ?secondary=${action !== 'rerun'} data-action=${action} @click=${() => props.onAct(action)}>${actionLabels[action]}</vscode-button>`,
        )}
      </div>
      <p class=${props.status?.error ? 'status error' : 'status'} role="status" aria-live="polite">${props.status?.text ?? ''}</p>
    </div>
  </div>`;
}

function renderRating(rating: number, onRate: (stars: number) => void): TemplateResult {
  const stars = [1, 2, 3, 4, 5].map(
    (stars) => html`<button
      type="button"
      class=${stars <= rating ? 'star on' : 'star'}
      aria-pressed=${stars === rating ? 'true' : 'false'}
      aria-label=${stars === rating ? `${stars} of 5 stars, press to clear` : `Rate ${stars} of 5`}
      title=${stars === rating ? 'Clear the rating' : `Rate ${stars} of 5`}
      @click=${() => onRate(stars)}
    >
      ★
    </button>`,
  );
  return html`<div class="rating-control" role="group" aria-label="Rating">${stars}</div>`;
}
