import { LitElement } from 'lit';

/** A model a view renders: it says when it changed. */
export interface Observable {
  subscribe(listener: () => void): () => void;
}

/**
 * The base of every panel view: it renders its model again whenever the model changes, and
 * renders into the light DOM, so the panel's stylesheet and the body's theme classes reach it.
 */
export class ModelView<M extends Observable> extends LitElement {
  model!: M;
  private unsubscribe: (() => void) | null = null;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = this.model.subscribe(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
