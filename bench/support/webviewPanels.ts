import { setTimeout as sleep } from 'node:timers/promises';
import type { Frame, Page } from 'playwright-core';
import { runCommand, until } from '../../test/e2e/harness';

/** Until the studio is ready (indexed) the palette does not offer StudioNOVA's commands. */
const paletteTimeoutMs = 120_000;
/** How often the Node side asks a webview whether it is done; adds up to this (plus one round trip, ~1–3 ms) to a figure. */
export const framePollIntervalMs = 10;

/**
 * Runs a command from the palette as the start of something timed: the palette is filled in
 * first, and the clock's time right before the Enter that runs the command is returned.
 */
export async function startFromPalette(page: Page, title: string): Promise<number> {
  await fillPalette(page, title);
  const started = performance.now();
  await page.keyboard.press('Enter');
  return started;
}

/**
 * Opens the palette on a command and waits until it is the focused row, so the caller's Enter
 * runs it at once and can be timed. Until the studio is indexed the command is not offered: the
 * palette is closed and tried again.
 */
async function fillPalette(page: Page, title: string): Promise<void> {
  const deadline = Date.now() + paletteTimeoutMs;
  const label = page.locator('.label-name', { hasText: new RegExp(`^${title}$`) });
  const focusedRow = page.locator('.quick-input-list .monaco-list-row.focused').filter({ has: label });
  for (;;) {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input.input').fill(`>${title}`);
    try {
      await focusedRow.waitFor({ timeout: 2_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press('Escape');
      await sleep(1_000);
    }
  }
}

/** Answers the quick pick a command shows: narrows it to the item labelled `label` and presses Enter on it. */
export async function pickFromQuickPick(page: Page, label: string): Promise<void> {
  const name = page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: name });
  await row.first().waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-widget input.input').fill(label);
  await page.locator('.quick-input-list .monaco-list-row.focused').filter({ has: name }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Closes the panel whose webview is `frame`, as a user would, and waits until it is gone and disposed. */
export async function closePanel(page: Page, frame: Frame, what: string): Promise<void> {
  // The webview saves its UI state 300 ms after a change: let that go out first.
  await sleep(500);
  await runCommand(page, 'View: Close Editor');
  await until(`the ${what} closed`, 10_000, () => frame.isDetached());
  // Let the workbench and the extension host finish disposing before the next opening is timed.
  await sleep(1_000);
}

export interface FramePoll<S> {
  /** Asks one frame for its state; null when the frame is not the panel's (another webview, one closing). */
  probe(frame: Frame): Promise<S | null>;
  /** Sees each state with the time since `started`; true when the wait is over. */
  done(state: S, ms: number): boolean;
  /** Why the wait failed, from the last state seen (null: the panel's frame was never found). */
  failure(last: S | null): string;
  readonly started: number;
  readonly timeoutMs: number;
  /** Adds up to this (plus one round trip) to each figure. */
  readonly intervalMs: number;
}

/**
 * Polls the page's frames until one is the panel's and says it is done. The panel's frame is new
 * on each opening; once found, only it is asked. Returns that frame and the time it took.
 */
export async function pollPanelFrame<S>(page: Page, poll: FramePoll<S>): Promise<{ frame: Frame; ms: number }> {
  let panel: Frame | undefined;
  let last: S | null = null;
  for (;;) {
    if (panel?.isDetached()) panel = undefined;
    const candidates = panel ? [panel] : page.frames().filter((frame) => frame !== page.mainFrame() && !frame.isDetached());
    for (const frame of candidates) {
      // A frame may be navigating or going away between listing and asking: that is "not yet".
      const state = await poll.probe(frame).catch(() => null);
      if (state === null) continue;
      const ms = performance.now() - poll.started;
      panel = frame;
      last = state;
      if (poll.done(state, ms)) return { frame, ms };
    }
    if (performance.now() - poll.started > poll.timeoutMs) throw new Error(poll.failure(last));
    await sleep(poll.intervalMs);
  }
}
