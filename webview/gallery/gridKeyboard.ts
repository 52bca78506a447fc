/** The keys that move the grid's selection. */
export type GridNavigationKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End' | 'PageUp' | 'PageDown';

const navigationKeys: ReadonlySet<string> = new Set<GridNavigationKey>(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

export function isGridNavigationKey(key: string): key is GridNavigationKey {
  return navigationKeys.has(key);
}

/**
 * The index selected after `key`, or null when the grid is empty. Up and down move by a row (`columns`
 * items), PageUp/PageDown by `pageRows` rows keeping the column where they can; nothing wraps. With no
 * selection yet, any key selects the first image (End the last).
 */
export function nextSelection(key: GridNavigationKey, current: number | null, count: number, columns: number, pageRows: number): number | null {
  if (count <= 0) return null;
  const last = count - 1;
  if (current === null || current < 0 || current > last) return key === 'End' ? last : 0;
  const row = Math.floor(current / columns);
  const lastRow = Math.floor(last / columns);
  switch (key) {
    case 'ArrowLeft':
      return Math.max(0, current - 1);
    case 'ArrowRight':
      return Math.min(last, current + 1);
    case 'ArrowUp':
      return row === 0 ? current : current - columns;
    case 'ArrowDown':
      // The last row may be short: from above it, land on its last image rather than nowhere.
      return row === lastRow ? current : Math.min(last, current + columns);
    case 'Home':
      return 0;
    case 'End':
      return last;
    case 'PageUp':
      return row === 0 ? 0 : Math.max(current % columns, current - pageRows * columns);
    case 'PageDown':
      return row === lastRow ? last : Math.min(last, current + pageRows * columns);
  }
}
