import { type PropertyValues, type TemplateResult, html, nothing } from 'lit';
import { ModelView } from '../shared/modelView';
import { fileName } from './fileName';
import { LossChart } from './lossChart';
import { formatBytes, formatCount, formatLoss } from './numbers';
import { type RunModel, causeLabel, statusLabel } from './runModel';
import { clampSmoothing } from './smoothing';
import { renderTrials } from './trialsGrid';
import { isOpen, type ViewStateStore } from './viewState';

/** A log box scrolled to within this many pixels of its end follows new lines. */
const stickSlackPx = 8;

/**
 * One training run: status and live figures, Cancel or Resume, the loss chart, the checkpoints,
 * the sample images, the comparison grid and the log tail. Thin: the RunModel holds the state;
 * the chart is drawn by LossChart, outside Lit's rendering, from the model's loss series.
 */
export class RunView extends ModelView<RunModel> {
  ui!: ViewStateStore;
  private chart: LossChart | null = null;
  private stopLoss: (() => void) | null = null;
  /** The log follows new lines until the user scrolls up. */
  private followLog = true;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopLoss?.();
    this.chart?.dispose();
    this.chart = null;
  }

  protected override firstUpdated(): void {
    const container = this.querySelector<HTMLElement>('#loss-chart')!;
    this.chart = new LossChart(container, this.model.loss, this.ui.state.smoothing);
    this.stopLoss = this.model.onLoss(() => this.chart?.dataChanged());
    this.scrollTop = this.ui.state.scrollTop;
    this.scrollLogToEnd();
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    this.chart?.setCheckpoints(this.model.record.checkpoints.map((c) => ({ step: c.step, final: c.final })));
    if (this.followLog) this.scrollLogToEnd();
    const dialog = this.querySelector<HTMLDialogElement>('#image-viewer');
    if (dialog && this.model.viewing !== null && !dialog.open) dialog.showModal();
    if (dialog && this.model.viewing === null && dialog.open) dialog.close();
  }

  protected override render(): TemplateResult {
    const model = this.model;
    const record = model.record;
    const figures = model.figures;
    const smoothing = this.ui.state.smoothing;
    const viewedFile = model.viewing?.file ?? null;
    return html`<header class="run-header">
        <div class="title-line">
          <h1>${record.config.outputName || record.id}</h1>
          <span class=${`badge status-${record.status}`} id="run-status">${statusLabel(record.status)}</span>
          <span class="run-id" title="Run id">${record.id}</span>
          <span class="spacer"></span>
          ${model.canCancel || (model.live && model.pending.has('cancel'))
            ? html`<button class="secondary" id="run-cancel" ?disabled=${!model.canCancel} @click=${() => void model.cancel()}>Cancel</button>`
            : nothing}
          ${model.canResume ? html`<button id="run-resume" title="Continue from the saved state, as a new run" @click=${() => void model.resume()}>Resume</button>` : nothing}
        </div>
        <div class="progress-line">
          <progress id="run-progress" max=${Math.max(1, figures.total)} .value=${figures.step} aria-label="Training progress"></progress>
          <span class="steps" id="run-steps">${formatCount(figures.step)} / ${formatCount(figures.total)} steps</span>
        </div>
        <dl class="figures" id="run-figures">
          <div><dt>Speed</dt><dd>${figures.speed}</dd></div>
          <div><dt>Time left</dt><dd>${figures.eta}</dd></div>
          <div><dt>Average loss</dt><dd>${figures.averageLoss}</dd></div>
          <div><dt>Epoch</dt><dd>${figures.epoch}</dd></div>
        </dl>
        ${record.failure
          ? html`<div class="failure" id="run-failure" role="alert"><strong>${causeLabel(record.failure.cause)}.</strong> ${record.failure.message}</div>`
          : nothing}
      </header>
      ${this.section(
        'chart',
        'Loss',
        true,
        html`<div class="chart-tools">
            <label for="chart-smoothing">Smoothing</label>
            <input id="chart-smoothing" type="range" min="0" max="0.99" step="0.01" .value=${String(smoothing)} @input=${this.smoothingInput} />
            <output for="chart-smoothing" id="chart-smoothing-value">${smoothing.toFixed(2)}</output>
            <span class="hint">Drag across the chart to zoom; double-click to see it all. Dashed lines are checkpoints.</span>
          </div>
          <div class="loss-chart" id="loss-chart" role="img" aria-label="Loss chart"></div>`,
      )}
      ${this.section('checkpoints', `Checkpoints (${record.checkpoints.length})`, true, this.renderCheckpoints())}
      ${this.section('samples', `Samples (${model.samples.length})`, true, this.renderSamples())}
      ${this.section('trials', 'Compare checkpoints', model.trials !== null || model.trialsProblem !== null, renderTrials(model))}
      ${this.section(
        'log',
        'Log',
        true,
        html`<pre class="log" id="run-log" tabindex="0" aria-label="The trainer's last lines" @scroll=${this.logScrolled}>${model.log.join('\n')}</pre>`,
      )}
      <footer id="run-status-line" class=${model.status?.error ? 'status error' : 'status'} role="status" aria-live="polite">${model.status?.text ?? ''}</footer>
      <dialog id="image-viewer" class="image-viewer" aria-label=${model.viewing?.caption ?? 'Image'} @close=${() => model.closeView()}>
        ${model.viewing
          ? html`<figure>
              <img src=${model.viewing.uri} alt=${model.viewing.caption} />
              <figcaption>${model.viewing.caption}</figcaption>
            </figure>`
          : nothing}
        <div class="viewer-actions">
          ${viewedFile ? html`<button class="secondary" id="image-viewer-open" @click=${() => void model.openFile(viewedFile)}>Open in editor</button>` : nothing}
          <button class="secondary" id="image-viewer-close" autofocus @click=${() => model.closeView()}>Close</button>
        </div>
      </dialog>`;
  }

  private section(id: string, title: string, openByDefault: boolean, body: TemplateResult): TemplateResult {
    const open = isOpen(this.ui.state, id, openByDefault);
    // Lit's first render fires `toggle` too: only a change is the user's.
    const toggled = (event: Event): void => {
      const now = (event.target as HTMLDetailsElement).open;
      if (now !== isOpen(this.ui.state, id, openByDefault)) this.ui.setOpen(id, now);
    };
    return html`<details class="section" id=${`section-${id}`} ?open=${open} @toggle=${toggled}>
      <summary>${title}</summary>
      ${body}
    </details>`;
  }

  private renderCheckpoints(): TemplateResult {
    const model = this.model;
    const checkpoints = model.record.checkpoints;
    if (checkpoints.length === 0) return html`<p class="empty">No checkpoint yet${model.record.config.saveEveryNSteps > 0 ? `: the first comes at step ${formatCount(model.record.config.saveEveryNSteps)}` : ''}.</p>`;
    return html`<table class="checkpoints" id="run-checkpoints">
      <thead>
        <tr><th scope="col">File</th><th scope="col" class="number">Step</th><th scope="col" class="number">Loss</th><th scope="col" class="number">Size</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
      </thead>
      <tbody>
        ${checkpoints.map((c) => {
          const chosen = model.record.chosen?.file === c.file;
          return html`<tr class=${chosen ? 'chosen' : ''}>
            <td>
              <span class="checkpoint-name" title=${c.file}>${fileName(c.file)}</span>${c.final ? html` <span class="tag">Final</span>` : nothing}${chosen
                ? html` <span class="tag in-use">In use</span>`
                : nothing}
            </td>
            <td class="number">${formatCount(c.step)}</td>
            <td class="number">${formatLoss(c.loss)}</td>
            <td class="number">${formatBytes(c.bytes)}</td>
            <td class="actions">
              <button class="secondary small" @click=${() => void model.reveal(c.file)}>Reveal</button>
              <button class="small" ?disabled=${chosen || !model.trusted || model.pending.has(`use:${c.file}`)} @click=${() => void model.useCheckpoint(c.file)}>Use this checkpoint</button>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  private renderSamples(): TemplateResult {
    const model = this.model;
    if (model.samples.length === 0) {
      const every = model.record.config.sampleEveryNSteps;
      return html`<p class="empty">${every > 0 ? `Sample images appear every ${formatCount(every)} steps.` : 'This run makes no sample images.'}</p>`;
    }
    return html`<ul class="samples" id="run-samples">
      ${model.samples.map((sample) => {
        const caption = `${sample.step === null ? 'Sample' : `Step ${formatCount(sample.step)}`} · prompt ${sample.promptIndex + 1}`;
        return html`<li>
          <button class="thumb" aria-label=${`Show larger: ${caption}`} @click=${() => model.view(sample.uri, caption, sample.file)}><img src=${sample.uri} alt=${caption} loading="lazy" /></button>
          <span class="thumb-caption">${caption}</span>
        </li>`;
      })}
    </ul>`;
  }

  private readonly smoothingInput = (event: Event): void => {
    const weight = clampSmoothing(Number((event.target as HTMLInputElement).value));
    this.ui.update({ smoothing: weight });
    this.chart?.setSmoothing(weight);
    this.requestUpdate();
  };

  private readonly logScrolled = (event: Event): void => {
    const log = event.target as HTMLElement;
    this.followLog = log.scrollTop + log.clientHeight >= log.scrollHeight - stickSlackPx;
  };

  private scrollLogToEnd(): void {
    const log = this.querySelector<HTMLElement>('#run-log');
    if (log) log.scrollTop = log.scrollHeight;
  }
}

customElements.define('studionova-training-run', RunView);
