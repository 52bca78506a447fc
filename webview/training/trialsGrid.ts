import { type TemplateResult, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import type { TrialGrid } from '../../src/shared/protocol/training';
import { fileName } from './fileName';
import { formatCount, formatLoss } from './numbers';
import { type RunModel, trialKey } from './runModel';

/**
 * The checkpoint comparison: the same prompts and seeds generated with each checkpoint, one row a
 * checkpoint, one column a prompt (and seed), so the best checkpoint is chosen by eye rather than
 * assumed to be the last. Images arrive one by one; a cell waits with a placeholder.
 */
export function renderTrials(model: RunModel): TemplateResult {
  const grid = model.trials;
  const running = grid?.running === true;
  const canRun = model.trusted && !running && !model.pending.has('trials') && model.record.checkpoints.length > 0;
  return html`<div class="trials-form">
      <div class="trials-inputs">
        <label for="trials-prompts">Prompts, one a line</label>
        <textarea
          id="trials-prompts"
          rows="3"
          spellcheck="false"
          .value=${live(model.trialPromptsText)}
          @input=${(event: Event) => model.setTrialInputs({ prompts: (event.target as HTMLTextAreaElement).value })}
        ></textarea>
      </div>
      <div class="trials-inputs seeds">
        <label for="trials-seeds">Seeds</label>
        <input
          id="trials-seeds"
          type="text"
          spellcheck="false"
          .value=${live(model.trialSeedsText)}
          @input=${(event: Event) => model.setTrialInputs({ seeds: (event.target as HTMLInputElement).value })}
        />
      </div>
      <div class="trials-actions">
        <button id="trials-run" ?disabled=${!canRun} title=${model.record.checkpoints.length === 0 ? 'The run has no checkpoints yet' : 'Generate these prompts with every checkpoint'} @click=${() => void model.runTrialsFromInputs()}>
          Generate comparison grid
        </button>
        ${running ? html`<button class="secondary" id="trials-cancel" @click=${() => model.cancelTrials()}>Cancel</button>` : nothing}
      </div>
    </div>
    ${model.trialsProblem !== null ? html`<p class="trials-problem" id="trials-problem" role="alert">${model.trialsProblem}</p>` : nothing}
    ${grid ? renderGrid(model, grid, running) : nothing}`;
}

function renderGrid(model: RunModel, grid: TrialGrid, running: boolean): TemplateResult {
  const columns = grid.prompts.flatMap((prompt, promptIndex) => grid.seeds.map((seed) => ({ prompt, promptIndex, seed })));
  const records = new Map(model.record.checkpoints.map((c) => [c.file, c]));
  return html`<div class="trials-scroll">
    <table class="trials-grid" id="trials-grid">
      <thead>
        <tr>
          <th scope="col">Checkpoint</th>
          ${columns.map(
            (column) =>
              html`<th scope="col" title=${column.prompt}>
                <span class="trial-prompt">${column.prompt}</span><span class="trial-seed">seed ${column.seed}</span>
              </th>`,
          )}
        </tr>
      </thead>
      <tbody>
        ${grid.checkpoints.map((file, row) => {
          const record = records.get(file);
          const loss = grid.losses[row] ?? record?.loss ?? null;
          const chosen = model.record.chosen?.file === file;
          return html`<tr>
            <th scope="row" class="trial-row-head">
              <span class="checkpoint-name" title=${file}>${fileName(file)}</span>
              <span class="checkpoint-facts">${record ? `step ${formatCount(record.step)} · loss ${formatLoss(loss)}` : ''}</span>
              ${chosen
                ? html`<span class="tag">In use</span>`
                : html`<button class="secondary small" ?disabled=${!model.trusted || model.pending.has(`use:${file}`)} @click=${() => void model.useCheckpoint(file)}>Use this checkpoint</button>`}
            </th>
            ${columns.map((column) => {
              const key = trialKey(file, column.promptIndex, column.seed);
              const image = model.trialImages.get(key);
              const caption = `${fileName(file)} · ${column.prompt} · seed ${column.seed}`;
              if (image !== undefined) {
                return html`<td>
                  <button class="trial-image" aria-label=${`Show larger: ${caption}`} @click=${() => model.view(image, caption)}><img src=${image} alt=${caption} loading="lazy" /></button>
                </td>`;
              }
              if (model.missingTrials.has(key)) {
                return html`<td>
                  <div class="trial-missing" role="img" aria-label=${`Image missing: ${caption}`} title="This test image was made, but its file is gone">Image missing</div>
                </td>`;
              }
              return html`<td>
                <div class="trial-pending" role="img" aria-label=${running ? `Queued: ${caption}` : `Not made: ${caption}`}>${running ? html`<span class="spinner"></span>` : '—'}</div>
              </td>`;
            })}
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}
