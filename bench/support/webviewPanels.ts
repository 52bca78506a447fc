import { setTimeout as sleep } from 'node:timers/promises';
import type { Frame, Page } from 'playwright-core';
import { runCommand, until } from '../../test/e2e/harness';

/**
 * Opens the palette on a command and waits until it is the focused row, so the caller's Enter
 * runs it at once and can be timed. Until the studio is indexed the command is not offered: the
 * palette is closed and tried again.
 */
export async function fillPalette(page: Page, title: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
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

/** Closes the panel whose webview is `frame`, as a user would, and waits until it is gone and disposed. */
export async function closePanel(page: Page, frame: Frame, what: string): Promise<void> {
  // The webview saves its UI state 300 ms after a change: let that go out first.
  await sleep(500);
  await runCommand(page, 'View: Close Editor');
  await until(`the ${what} closed`, 10_000, () => frame.isDetached());
  // Let the workbench and the extension host finish disposing before the next opening is timed.
  await sleep(1_000);
}
