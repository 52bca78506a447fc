import type { IndexRange } from './gridLayout';
import type { GridItem } from './itemPages';

/** The host takes at most this many paths in one `gallery/thumbs/want`. */
export const maxWishedThumbs = 500;

/**
 * Paths whose thumbnail is still to be made, most wanted first: the images in view, then those just below,
 * then those just above (nearest first), as the user is more likely to scroll on than back.
 */
export function thumbWish(itemAt: (index: number) => GridItem | undefined, visible: IndexRange, near: IndexRange, max = maxWishedThumbs): string[] {
  const order: number[] = [];
  for (let index = visible.start; index < visible.end; index++) order.push(index);
  for (let index = Math.max(visible.end, near.start); index < near.end; index++) order.push(index);
  for (let index = Math.min(visible.start, near.end) - 1; index >= near.start; index--) order.push(index);
  const paths: string[] = [];
  for (const index of order) {
    const item = itemAt(index);
    if (item && item.thumb === null && item.thumbError === null) paths.push(item.path);
    if (paths.length >= max) break;
  }
  return paths;
}
