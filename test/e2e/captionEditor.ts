// Shared by the end-to-end tests of the caption editor: opening it on the sample dataset, and its rows.
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { openContainer, treeItem } from './harness';

/** Opens the caption editor from the sample dataset's context menu in the Studio view. */
export async function openCaptionEditor(page: Page): Promise<void> {
  await openContainer(page, 'StudioNOVA');
  const row = treeItem(page, 'Studio', 'spyke');
  await row.waitFor({ timeout: 30_000 });
  await row.click({ button: 'right' });
  const item = page.locator('.context-view').getByRole('menuitem', { name: 'Open Caption Editor' });
  await item.hover();
  // The menu ignores a click right after it opened; the item is chosen with the keyboard.
  await item.press('Enter');
}

/** The row of an image, by its file name. */
export const captionRow = (editor: FrameLocator, name: string): Locator => editor.locator(`[role=row][aria-label="${name}"]`);
