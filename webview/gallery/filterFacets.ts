import type { Facet, GalleryFilter, GallerySort, GallerySummary } from '../../src/shared/protocol/gallery';

export interface SelectOption {
  readonly value: string;
  readonly label: string;
}

/** The value of the "All" option: the field is absent from the filter. */
export const allValue = '';

/**
 * "All" and one option per facet, "label (count)". The chosen value stays listed even when no image has it
 * any more (count 0), so the select never shows a value that is not the filter's.
 */
export function facetOptions(facets: readonly Facet[], selected: string | undefined, selectedLabel?: string): SelectOption[] {
  const options: SelectOption[] = [{ value: allValue, label: 'All' }];
  for (const facet of facets) options.push({ value: facet.value, label: `${facet.label} (${facet.count})` });
  if (selected !== undefined && selected !== allValue && !facets.some((facet) => facet.value === selected)) {
    options.push({ value: selected, label: `${selectedLabel ?? selected} (0)` });
  }
  return options;
}

export type FacetList = 'characters' | 'chapters' | 'pages' | 'loras' | 'checkpoints';

/**
 * Labels of every facet value seen in a summary, so a chosen value that no image has any more still shows
 * as "Mira (0)" rather than its id.
 */
export class FacetLabels {
  private readonly labels = new Map<string, string>();

  remember(summary: GallerySummary): void {
    for (const list of ['characters', 'chapters', 'pages', 'loras', 'checkpoints'] as const) {
      for (const facet of summary[list]) this.labels.set(`${list}/${facet.value}`, facet.label);
    }
  }

  labelOf(list: FacetList, value: string | undefined): string | undefined {
    return value === undefined ? undefined : this.labels.get(`${list}/${value}`);
  }
}

export const sortOptions: readonly { readonly value: GallerySort; readonly label: string }[] = [
  { value: 'date', label: 'Newest first' },
  { value: 'seed', label: 'Seed' },
  { value: 'rating', label: 'Best rated' },
];

const filterFields = ['character', 'chapter', 'page', 'lora', 'checkpoint', 'approved', 'upscaled', 'from', 'to', 'text', 'sort'] as const;

/** A canonical string for a filter: equal filters, equal keys, whatever the property order or absent fields. */
export function filterKey(filter: GalleryFilter): string {
  return JSON.stringify(filterFields.map((field) => filter[field] ?? null));
}

export function sameFilter(a: GalleryFilter, b: GalleryFilter): boolean {
  return filterKey(a) === filterKey(b);
}

/** Whether anything but the sort narrows the images. */
export function isNarrowed(filter: GalleryFilter): boolean {
  return filterFields.some((field) => field !== 'sort' && filter[field] !== undefined);
}

/** No narrowing, same order. */
export function withoutNarrowing(filter: GalleryFilter): GalleryFilter {
  return { sort: filter.sort };
}

type TextField = 'character' | 'chapter' | 'lora' | 'checkpoint' | 'from' | 'to' | 'text';

/**
 * The filter with one text field set from a control's value: empty means absent. A new chapter drops the
 * page, which belongs to the old one.
 */
export function withTextField(filter: GalleryFilter, field: TextField, value: string): GalleryFilter {
  const next: GalleryFilter = { ...filter };
  const normalized = field === 'text' ? normalizeSearchText(value) : value;
  // A date field holds a calendar day or nothing; anything else (a half-typed date) leaves it unset.
  const valid = normalized !== allValue && ((field !== 'from' && field !== 'to') || /^\d{4}-\d{2}-\d{2}$/.test(normalized));
  if (valid) next[field] = normalized;
  else delete next[field];
  if (field === 'chapter' && next.chapter !== filter.chapter) delete next.page;
  return next;
}

/** The search text as the filter holds it: words separated by single spaces. */
export function normalizeSearchText(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** The page select's value: a page number, or "All". */
export function withPage(filter: GalleryFilter, value: string): GalleryFilter {
  const next: GalleryFilter = { ...filter };
  const page = Number.parseInt(value, 10);
  if (value === allValue || !Number.isInteger(page)) delete next.page;
  else next.page = page;
  return next;
}

/** A toggle narrows to the images that have the property; off means "either". */
export function withToggle(filter: GalleryFilter, field: 'approved' | 'upscaled', on: boolean): GalleryFilter {
  const next: GalleryFilter = { ...filter };
  if (on) next[field] = true;
  else delete next[field];
  return next;
}

export function withSort(filter: GalleryFilter, value: string): GalleryFilter {
  const sort = sortOptions.find((option) => option.value === value)?.value;
  return sort ? { ...filter, sort } : filter;
}

const numberFormat = new Intl.NumberFormat('en-US');

/** "1,204 of 10,000 images". */
export function countLabel(matching: number, total: number): string {
  return `${numberFormat.format(matching)} of ${numberFormat.format(total)} image${total === 1 ? '' : 's'}`;
}
