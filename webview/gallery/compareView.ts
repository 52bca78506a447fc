import '@vscode-elements/elements/dist/vscode-button/index.js';
import { type TemplateResult, html } from 'lit';
import type { GalleryDetail } from '../../src/shared/protocol/gallery';
import { type DiffToken, compareFields, diffWords } from './compareParameters';
import type { CompareState } from './galleryModel';

export interface CompareViewProps {
  readonly compare: CompareState;
  onClose(): void;
  onSwap(): void;
}

export function renderCompareView(props: CompareViewProps): TemplateResult {
  const { a, b, error } = props.compare;
  return html`<div class="overlay compare-view" role="dialog" aria-modal="true" aria-label="Compare images" tabindex="-1">
    <div class="overlay-bar">
      <h2 class="overlay-title">Compare</h2>
      <vscode-button secondary id="compare-swap" @click=${props.onSwap}>Swap sides</vscode-button>
      <vscode-button secondary id="compare-close" @click=${props.onClose}>Close</vscode-button>
    </div>
    ${a && b ? renderBody(a, b) : html`<p class="overlay-message">${error ?? 'Loading…'}</p>`}
  </div>`;
}

function renderBody(a: GalleryDetail, b: GalleryDetail): TemplateResult {
  const prompts = diffWords(a.prompt ?? '', b.prompt ?? '');
  const negatives = diffWords(a.negative ?? '', b.negative ?? '');
  const rows = compareFields(a.fields, b.fields);
  const differing = rows.filter((row) => row.differs).length;
  return html`<div class="compare-body">
    <div class="compare-sides">
      ${renderSide('A', a, prompts.a, negatives.a)} ${renderSide('B', b, prompts.b, negatives.b)}
    </div>
    <table class="compare-fields">
      <caption>
        ${differing === 0 ? 'Every parameter is the same.' : `${differing} parameter${differing === 1 ? '' : 's'} differ${differing === 1 ? 's' : ''}, listed first.`}
      </caption>
      <thead>
        <tr>
          <th scope="col"><span class="visually-hidden">Differs</span></th>
          <th scope="col">Parameter</th>
          <th scope="col">A</th>
          <th scope="col">B</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) => html`<tr class=${row.differs ? 'differs' : ''}>
            <td class="diff-mark">${row.differs ? html`<span aria-label="differs" title="Differs">≠</span>` : ''}</td>
            <th scope="row">${row.label}</th>
            <td class="selectable">${row.a ?? '—'}</td>
            <td class="selectable">${row.b ?? '—'}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function renderSide(side: 'A' | 'B', detail: GalleryDetail, prompt: readonly DiffToken[], negative: readonly DiffToken[]): TemplateResult {
  return html`<section class="compare-side" aria-label=${`Image ${side}`}>
    <div class="compare-image"><img src=${detail.image} alt=${detail.item.name} /></div>
    <h3><span class="side-tag">${side}</span> ${detail.item.name}</h3>
    <h4>Prompt</h4>
    <p class="prompt selectable">${detail.prompt === null ? '—' : renderTokens(prompt)}</p>
    <h4>Negative prompt</h4>
    <p class="prompt selectable">${detail.negative === null ? '—' : renderTokens(negative)}</p>
  </section>`;
}

/** Words the other prompt lacks are marked; a screen reader hears them as highlighted. */
function renderTokens(tokens: readonly DiffToken[]): (TemplateResult | string)[] {
  return tokens.map((token) => (token.changed ? html`<mark>${token.text}</mark>` : token.text));
}
