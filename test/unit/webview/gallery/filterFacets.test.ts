import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GallerySummary } from '../../../../src/shared/protocol/gallery';
import {
  FacetLabels,
  countLabel,
  facetOptions,
  filterKey,
  isNarrowed,
  sameFilter,
  withPage,
  withSort,
  withTextField,
  withToggle,
  withoutNarrowing,
} from '../../../../webview/gallery/filterFacets';

test('facet options: All, then "label (count)", keeping a chosen value no image has any more', () => {
  const facets = [
    { value: 'mira', label: 'Mira', count: 12 },
    { value: 'kai', label: 'Kai', count: 3 },
  ];
  assert.deepEqual(facetOptions(facets, undefined), [
    { value: '', label: 'All' },
    { value: 'mira', label: 'Mira (12)' },
    { value: 'kai', label: 'Kai (3)' },
  ]);
  assert.deepEqual(facetOptions(facets, 'tom', 'Old Tom').at(-1), { value: 'tom', label: 'Old Tom (0)' });
  assert.deepEqual(facetOptions([], 'tom').at(-1), { value: 'tom', label: 'tom (0)' });
  assert.equal(facetOptions(facets, 'kai').length, 3);
});

test('facet labels are remembered from every summary', () => {
  const labels = new FacetLabels();
  const summary: GallerySummary = {
    total: 1,
    matching: 1,
    characters: [{ value: 'tom', label: 'Old Tom', count: 1 }],
    chapters: [],
    pages: [{ value: '3', label: 'Page 3', count: 1 }],
    loras: [],
    checkpoints: [],
    approved: 0,
    upscaled: 0,
  };
  labels.remember(summary);
  labels.remember({ ...summary, characters: [], pages: [] });
  assert.equal(labels.labelOf('characters', 'tom'), 'Old Tom');
  assert.equal(labels.labelOf('pages', '3'), 'Page 3');
  assert.equal(labels.labelOf('chapters', 'tom'), undefined);
  assert.equal(labels.labelOf('characters', undefined), undefined);
});

test('filter keys ignore property order and absent fields', () => {
  assert.equal(filterKey({ sort: 'date', character: 'mira', approved: true }), filterKey({ approved: true, character: 'mira', sort: 'date', page: undefined }));
  assert.equal(sameFilter({ sort: 'date' }, { sort: 'seed' }), false);
  assert.equal(sameFilter({ sort: 'date', page: 1 }, { sort: 'date' }), false);
});

test('control values become filter fields; empty means absent', () => {
  const base = { sort: 'rating' as const, chapter: 'ch-01', page: 3 };
  assert.deepEqual(withTextField(base, 'character', 'mira'), { ...base, character: 'mira' });
  assert.deepEqual(withTextField({ ...base, character: 'mira' }, 'character', ''), base);
  // A new chapter drops the page of the old one; the same chapter keeps it.
  assert.deepEqual(withTextField(base, 'chapter', 'ch-02'), { sort: 'rating', chapter: 'ch-02' });
  assert.deepEqual(withTextField(base, 'chapter', 'ch-01'), base);
  assert.deepEqual(withTextField(base, 'chapter', ''), { sort: 'rating' });
  assert.deepEqual(withTextField(base, 'text', '  red   hair '), { ...base, text: 'red hair' });
  assert.deepEqual(withTextField(base, 'text', '   '), base);
  assert.deepEqual(withTextField(base, 'from', '2025-11-02'), { ...base, from: '2025-11-02' });
  assert.deepEqual(withTextField({ ...base, from: '2025-11-02' }, 'from', '2025-1'), base);
  assert.deepEqual(withPage(base, '5'), { ...base, page: 5 });
  assert.deepEqual(withPage(base, ''), { sort: 'rating', chapter: 'ch-01' });
  assert.deepEqual(withToggle(base, 'approved', true), { ...base, approved: true });
  assert.deepEqual(withToggle({ ...base, approved: true }, 'approved', false), base);
  assert.deepEqual(withSort(base, 'seed'), { ...base, sort: 'seed' });
  assert.deepEqual(withSort(base, 'size'), base);
});

test('narrowing and clearing keep the sort', () => {
  assert.equal(isNarrowed({ sort: 'seed' }), false);
  assert.equal(isNarrowed({ sort: 'seed', upscaled: true }), true);
  assert.deepEqual(withoutNarrowing({ sort: 'seed', character: 'mira', text: 'rain' }), { sort: 'seed' });
});

test('the count line', () => {
  assert.equal(countLabel(1204, 10000), '1,204 of 10,000 images');
  assert.equal(countLabel(0, 1), '0 of 1 image');
});
