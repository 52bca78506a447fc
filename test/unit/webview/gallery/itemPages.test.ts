import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GalleryItem } from '../../../../src/shared/protocol/gallery';
import { ItemPages } from '../../../../webview/gallery/itemPages';

function items(from: number, count: number, prefix = 'img'): GalleryItem[] {
  return Array.from({ length: count }, (_, k) => ({
    path: `output/${prefix}-${from + k}.png`,
    name: `${prefix}-${from + k}.png`,
    thumb: null,
    seed: from + k,
    rating: 0,
    approved: false,
    source: 'studionova' as const,
    createdMs: 1_700_000_000_000 - (from + k),
  }));
}

test('a bootstrap shorter than a page is shown but fetched again in full', () => {
  const pages = new ItemPages(10, 4, 'f', 1, 25);
  pages.reset('f', 1, 25, items(0, 6));
  assert.equal(pages.itemAt(5)?.path, 'output/img-5.png');
  assert.equal(pages.itemAt(6), undefined);
  assert.deepEqual(pages.missing([0, 1, 2]), [0, 1, 2]);
  assert.equal(pages.accept('f', 1, 0, items(0, 10), 25), true);
  assert.equal(pages.accept('f', 1, 2, items(20, 5), 25), true);
  assert.deepEqual(pages.missing([0, 1, 2]), [1]);
});

test('replies for another filter or an older generation are dropped', () => {
  const pages = new ItemPages(10, 4, 'f', 3, 100);
  assert.equal(pages.accept('other', 3, 0, items(0, 10), 100), false);
  assert.equal(pages.accept('f', 2, 0, items(0, 10), 100), false);
  assert.equal(pages.itemAt(0), undefined);
  assert.equal(pages.accept('f', 3, 0, items(0, 10), 90), true);
  assert.equal(pages.count, 90);
});

test('a newer generation makes the other pages stale: still shown, fetched again, not found by path', () => {
  const pages = new ItemPages(10, 8, 'f', 1, 100);
  pages.accept('f', 1, 0, items(0, 10), 100);
  pages.accept('f', 1, 1, items(10, 10), 100);
  pages.accept('f', 1, 5, items(50, 10), 100);
  assert.equal(pages.invalidate(1, [0, 1]), false);
  assert.equal(pages.invalidate(2, [0, 1]), true);
  assert.deepEqual(pages.cachedPages, [0, 1]);
  assert.equal(pages.itemAt(12)?.path, 'output/img-12.png');
  assert.equal(pages.indexOf('output/img-12.png'), -1);
  assert.deepEqual(pages.missing([0, 1]), [0, 1]);
  // A reply of a generation newer still does the same to the pages it is not for.
  assert.equal(pages.accept('f', 3, 0, items(0, 10, 'new'), 101, [0, 1]), true);
  assert.equal(pages.generation, 3);
  assert.deepEqual(pages.missing([0, 1]), [1]);
  assert.equal(pages.indexOf('output/new-3.png'), 3);
});

test('eviction keeps the pages in use and those nearest to them, so memory stays flat', () => {
  const pages = new ItemPages(10, 3, 'f', 1, 1000);
  for (let page = 0; page < 60; page++) {
    pages.accept('f', 1, page, items(page * 10, 10), 1000);
    pages.evict([page]);
    assert.ok(pages.cachedPages.length <= 3);
  }
  assert.deepEqual(pages.cachedPages, [57, 58, 59]);
  pages.accept('f', 1, 10, items(100, 10), 1000);
  pages.accept('f', 1, 30, items(300, 10), 1000);
  pages.evict([30, 31]);
  assert.deepEqual(pages.cachedPages, [10, 30, 57]);
});

test('thumbnails fill cached items; failures are remembered across re-fetches', () => {
  const pages = new ItemPages(10, 4, 'f', 1, 20);
  pages.accept('f', 1, 0, items(0, 10), 20);
  assert.equal(pages.setThumbs([{ path: 'output/img-1.png', uri: 'https://thumbs/1.webp' }, { path: 'output/img-2.png', uri: null, error: 'unreadable PNG' }]), true);
  assert.equal(pages.itemAt(1)?.thumb, 'https://thumbs/1.webp');
  assert.equal(pages.itemAt(2)?.thumbError, 'unreadable PNG');
  assert.equal(pages.setThumbs([{ path: 'output/elsewhere.png', uri: 'x' }]), false);
  pages.invalidate(2, []);
  pages.accept('f', 2, 0, items(0, 10), 20);
  assert.equal(pages.itemAt(2)?.thumbError, 'unreadable PNG');
  pages.update('output/img-4.png', { rating: 4 });
  assert.equal(pages.itemAt(4)?.rating, 4);
});
