// Shared by the end-to-end tests of the caption editor: opening it on the sample dataset, and its rows.
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { contextMenu, openContainer, treeItem } from './harness';

/** Opens the caption editor from the sample dataset's context menu in the Studio view. */
export async function openCaptionEditor(page: Page): Promise<void> {
  await openContainer(page, 'StudioNOVA');
  const row = treeItem(page, 'Studio', 'spyke');
  await row.waitFor({ timeout: 30_000 });
  await contextMenu(page, row, 'Open Caption Editor');
}

/** The row of an image, by its file name. */
export const captionRow = (editor: FrameLocator, name: string): Locator => editor.locator(`[role=row][aria-label="${name}"]`);
