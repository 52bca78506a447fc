import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GridItem } from '../../../../webview/gallery/itemPages';
import { thumbWish } from '../../../../webview/gallery/thumbWish';

const item = (index: number, thumb: string | null = null, thumbError: string | null = null): GridItem => ({
  path: `p${index}`,
  name: `p${index}.png`,
  thumb,
  seed: null,
  rating: 0,
  approved: false,
  source: 'unknown',
  createdMs: 0,
  thumbError,
});

test('the images in view first, then below, then above nearest first; made and failed ones left out', () => {
  const cells = new Map<number, GridItem>();
  for (let index = 0; index < 40; index++) cells.set(index, item(index, index === 21 ? 'uri' : null, index === 22 ? 'broken' : null));
  cells.delete(31);
  const wish = thumbWish((index) => cells.get(index), { start: 20, end: 25 }, { start: 15, end: 32 });
  assert.deepEqual(wish, ['p20', 'p23', 'p24', 'p25', 'p26', 'p27', 'p28', 'p29', 'p30', 'p19', 'p18', 'p17', 'p16', 'p15']);
  assert.deepEqual(thumbWish((index) => cells.get(index), { start: 20, end: 25 }, { start: 15, end: 32 }, 3), ['p20', 'p23', 'p24']);
  assert.deepEqual(thumbWish((index) => cells.get(index), { start: 0, end: 0 }, { start: 0, end: 0 }), []);
});
