// The few DOM shapes the benchmarks' in-page functions use. Those functions run inside the webview
// (Playwright serializes them), while the benchmarks compile without the DOM library.

export interface PageBox {
  readonly top: number;
  readonly bottom: number;
}

export interface PageNodeRoot {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}

export interface PageElement extends PageNodeRoot {
  readonly shadowRoot: PageNodeRoot | null;
  readonly scrollHeight: number;
  readonly clientHeight: number;
  readonly clientWidth: number;
  readonly textContent: string | null;
  scrollTop: number;
  getBoundingClientRect(): PageBox;
  getAttribute(name: string): string | null;
}

export interface PageImage extends PageElement {
  readonly complete: boolean;
  readonly naturalWidth: number;
}

export interface PageTiming {
  readonly startTime: number;
  readonly duration: number;
}

export interface PageGlobals {
  readonly document: PageNodeRoot & { getElementsByTagName(name: string): ArrayLike<PageElement> };
  readonly performance: { getEntriesByName(name: string, type: 'measure'): ArrayLike<PageTiming> };
  requestAnimationFrame(callback: () => void): number;
}
