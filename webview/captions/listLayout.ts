// Geometry of the virtualized caption list: rows of one fixed height, so every position is arithmetic
// and the DOM holds only the rows near the viewport, whatever the number of images.

/** A row: thumbnail and caption; captions.css sizes the row's parts to fit (keep the two in step). */
export const captionRowHeight = 112;

/** Indices `start` (inclusive) to `end` (exclusive). */
export interface RowRange {
  readonly start: number;
  readonly end: number;
}

/** Height of the spacer that gives the scroller its full scroll range. */
export function listHeight(count: number, rowHeight: number): number {
  return Math.max(0, count) * rowHeight;
}

/** Rows that intersect the viewport, widened by `overscan` rows on each side. */
export function visibleRows(scrollTop: number, viewportHeight: number, count: number, rowHeight: number, overscan = 0): RowRange {
  if (count <= 0 || viewportHeight <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const last = Math.min(count - 1, Math.floor((Math.max(0, scrollTop) + viewportHeight - 1) / rowHeight) + overscan);
  // Scrolled past the end (rows just got fewer, the browser has not clamped yet): show the last rows.
  const first = Math.min(last, Math.max(0, Math.floor(Math.max(0, scrollTop) / rowHeight) - overscan));
  return { start: first, end: last + 1 };
}

/** The smallest scroll that shows row `index` whole; `scrollTop` itself when it is already in view. */
export function scrollTopToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return Math.max(0, top + rowHeight - viewportHeight);
  return scrollTop;
}
