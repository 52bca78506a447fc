// Geometry of the virtualized grid: fixed-size cells, so every position is arithmetic and the DOM holds
// only the rows near the viewport, whatever the number of images.

export interface GridGeometry {
  readonly cellWidth: number;
  /** The whole cell: thumbnail and caption lines. */
  readonly cellHeight: number;
  readonly gap: number;
  /** Space around the grid inside the scroller. */
  readonly padding: number;
}

/** The gallery's cells; gallery.css sizes the cell's parts to fit (keep the two in step). */
export const galleryGeometry: GridGeometry = { cellWidth: 152, cellHeight: 168, gap: 8, padding: 8 };

/** Indices `start` (inclusive) to `end` (exclusive). */
export interface IndexRange {
  readonly start: number;
  readonly end: number;
}

export const emptyRange: IndexRange = { start: 0, end: 0 };

export function columnCount(width: number, geometry: GridGeometry): number {
  const usable = width - 2 * geometry.padding + geometry.gap;
  return Math.max(1, Math.floor(usable / (geometry.cellWidth + geometry.gap)));
}

export function rowCount(count: number, columns: number): number {
  return count <= 0 ? 0 : Math.ceil(count / Math.max(1, columns));
}

/** Distance from one row's top to the next. */
export function rowPitch(geometry: GridGeometry): number {
  return geometry.cellHeight + geometry.gap;
}

/** Height of the spacer that gives the scroller its full scroll range. */
export function contentHeight(count: number, columns: number, geometry: GridGeometry): number {
  const rows = rowCount(count, columns);
  return rows === 0 ? 0 : 2 * geometry.padding + rows * geometry.cellHeight + (rows - 1) * geometry.gap;
}

export function rowTop(row: number, geometry: GridGeometry): number {
  return geometry.padding + row * rowPitch(geometry);
}

export function cellPosition(index: number, columns: number, geometry: GridGeometry): { readonly x: number; readonly y: number } {
  const column = index % columns;
  const row = Math.floor(index / columns);
  return { x: geometry.padding + column * (geometry.cellWidth + geometry.gap), y: rowTop(row, geometry) };
}

/** Whole rows that intersect the viewport, widened by `overscanRows` on each side, as item indices. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  count: number,
  columns: number,
  geometry: GridGeometry,
  overscanRows = 0,
): IndexRange {
  const rows = rowCount(count, columns);
  if (rows === 0 || viewportHeight <= 0) return emptyRange;
  const pitch = rowPitch(geometry);
  const top = Math.max(0, scrollTop - geometry.padding);
  const lastRow = Math.min(rows - 1, Math.floor((top + viewportHeight) / pitch) + overscanRows);
  // Scrolled past the end (the images just got fewer, the browser has not clamped yet): show the last rows.
  const firstRow = Math.min(lastRow, Math.max(0, Math.floor(top / pitch) - overscanRows));
  return { start: firstRow * columns, end: Math.min(count, (lastRow + 1) * columns) };
}

/** Full rows that fit in the viewport, at least one: how far PageUp/PageDown move. */
export function rowsPerViewport(viewportHeight: number, geometry: GridGeometry): number {
  return Math.max(1, Math.floor((viewportHeight + geometry.gap) / rowPitch(geometry)));
}

/** The smallest scroll that shows the whole row of `index`; `scrollTop` itself when it is already in view. */
export function scrollTopToReveal(index: number, columns: number, scrollTop: number, viewportHeight: number, geometry: GridGeometry): number {
  const top = rowTop(Math.floor(index / columns), geometry);
  const bottom = top + geometry.cellHeight;
  if (top - geometry.padding < scrollTop) return Math.max(0, top - geometry.padding);
  if (bottom + geometry.padding > scrollTop + viewportHeight) return Math.max(0, bottom + geometry.padding - viewportHeight);
  return scrollTop;
}

/** The scroll that puts the row of `index` near the top (a third of the way down), for a jump from afar. */
export function scrollTopToCenter(index: number, columns: number, viewportHeight: number, geometry: GridGeometry): number {
  const top = rowTop(Math.floor(index / columns), geometry);
  return Math.max(0, top - Math.max(geometry.padding, Math.floor((viewportHeight - geometry.cellHeight) / 3)));
}

/** The pages of `pageSize` items that hold any index of `range`. */
export function pagesForRange(range: IndexRange, pageSize: number): number[] {
  if (range.end <= range.start) return [];
  const pages: number[] = [];
  for (let page = Math.floor(range.start / pageSize); page <= Math.floor((range.end - 1) / pageSize); page++) pages.push(page);
  return pages;
}

/** `range` grown by `margin` items on both sides, within `[0, count)`. */
export function widenRange(range: IndexRange, margin: number, count: number): IndexRange {
  if (range.end <= range.start) return range;
  return { start: Math.max(0, range.start - margin), end: Math.min(count, range.end + margin) };
}
