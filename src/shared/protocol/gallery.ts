import * as z from 'zod/mini';
import { defineCommand, defineNotification, defineRequest } from './ipc';

/** The webview type of the gallery panel, for the panel and its serializer. */
export const galleryViewType = 'studionova.gallery';

export const gallerySortSchema = z.enum(['date', 'seed', 'rating']);
export type GallerySort = z.infer<typeof gallerySortSchema>;

/** What the grid shows. Every field but `sort` narrows the set; an absent field does not. */
export const galleryFilterSchema = z.object({
  /** A character id, as in characters/<id>/. */
  character: z.optional(z.string()),
  /** A chapter id, as in chapters/ch-01/. */
  chapter: z.optional(z.string()),
  page: z.optional(z.int()),
  lora: z.optional(z.string()),
  checkpoint: z.optional(z.string()),
  approved: z.optional(z.boolean()),
  upscaled: z.optional(z.boolean()),
  /** Calendar days, `YYYY-MM-DD`, both inclusive, in the user's time zone. */
  from: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/))),
  to: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/))),
  /** Words that must all appear in the prompt, negative prompt or file name. */
  text: z.optional(z.string()),
  /** date: newest first; seed: lowest first; rating: best first. */
  sort: gallerySortSchema,
});
export type GalleryFilter = z.infer<typeof galleryFilterSchema>;

export const imageSourceSchema = z.enum(['studionova', 'comfyui', 'a1111', 'unknown']);
export type ImageSource = z.infer<typeof imageSourceSchema>;

/** One cell of the grid. `path` is the image's id everywhere: relative to the studio, forward slashes. */
export const galleryItemSchema = z.object({
  path: z.string(),
  name: z.string(),
  /** A webview URI of its cached thumbnail; null until it is made (then `gallery/thumbs/ready` brings it). */
  thumb: z.nullable(z.string()),
  seed: z.nullable(z.number()),
  /** 0 (not rated) to 5. */
  rating: z.int().check(z.minimum(0), z.maximum(5)),
  approved: z.boolean(),
  source: imageSourceSchema,
  /** When it was made, in ms since the epoch. */
  createdMs: z.number(),
});
export type GalleryItem = z.infer<typeof galleryItemSchema>;

export const facetSchema = z.object({ value: z.string(), label: z.string(), count: z.int() });
export type Facet = z.infer<typeof facetSchema>;

/** Counts for the filter bar: each list counts the images that match every other filter. */
export const gallerySummarySchema = z.object({
  /** Every image of the studio, whatever the filter. */
  total: z.int(),
  /** Images that match the filter. */
  matching: z.int(),
  characters: z.array(facetSchema),
  chapters: z.array(facetSchema),
  /** Pages of the filtered chapter; empty when no chapter is chosen. */
  pages: z.array(facetSchema),
  loras: z.array(facetSchema),
  checkpoints: z.array(facetSchema),
  approved: z.int(),
  upscaled: z.int(),
});
export type GallerySummary = z.infer<typeof gallerySummarySchema>;

/** One parameter as shown in the detail view and compared between two images. */
export const parameterFieldSchema = z.object({ key: z.string(), label: z.string(), value: z.string() });
export type ParameterField = z.infer<typeof parameterFieldSchema>;

export const galleryActionSchema = z.enum([
  'rerun',
  'rerunNewSeed',
  'copyPrompt',
  'openPrompt',
  'approve',
  'unapprove',
  'reveal',
  'openImage',
  'describe',
  'delete',
]);
export type GalleryAction = z.infer<typeof galleryActionSchema>;

export const galleryDetailSchema = z.object({
  item: galleryItemSchema,
  /** A webview URI of the image itself. */
  image: z.string(),
  width: z.nullable(z.int()),
  height: z.nullable(z.int()),
  prompt: z.nullable(z.string()),
  negative: z.nullable(z.string()),
  /** Every other parameter, in the order a person reads them. */
  fields: z.array(parameterFieldSchema),
  /** Where the parameters came from, e.g. "generation log and workflow sidecar" or "PNG text chunk parameters (Automatic1111)". */
  origin: z.string(),
  /** The actions that make sense for this image; the others are not offered. */
  actions: z.array(galleryActionSchema),
});
export type GalleryDetail = z.infer<typeof galleryDetailSchema>;

/** What the webview keeps across hiding, closing and reopening: navigation only, never data. */
export const galleryUiStateSchema = z.object({
  filter: galleryFilterSchema,
  scrollTop: z.number(),
  selected: z.nullable(z.string()),
  /** The image open in the detail view, if any. */
  detail: z.nullable(z.string()),
  /** The two images side by side, if comparing. */
  compare: z.nullable(z.tuple([z.string(), z.string()])),
});
export type GalleryUiState = z.infer<typeof galleryUiStateSchema>;

export const defaultGalleryFilter: GalleryFilter = { sort: 'date' };
export const defaultGalleryUiState: GalleryUiState = { filter: defaultGalleryFilter, scrollTop: 0, selected: null, detail: null, compare: null };

/** The initial state, in the HTML (escaped JSON) so the first paint needs no round trip. */
export const galleryBootstrapSchema = z.object({
  state: galleryUiStateSchema,
  summary: gallerySummarySchema,
  /** The first screenful of items for `state.filter`, from offset 0. */
  items: z.array(galleryItemSchema),
  /** Bumped whenever the set of images changes; results of an older generation are stale. */
  generation: z.int(),
});
export type GalleryBootstrap = z.infer<typeof galleryBootstrapSchema>;

export const galleryProtocol = {
  // webview → host, with a reply
  summary: defineRequest('gallery/summary/get', z.object({ filter: galleryFilterSchema }), z.object({ generation: z.int(), summary: gallerySummarySchema })),
  list: defineRequest(
    'gallery/images/list',
    z.object({ filter: galleryFilterSchema, offset: z.int().check(z.minimum(0)), limit: z.int().check(z.minimum(1), z.maximum(500)) }),
    z.object({ generation: z.int(), matching: z.int(), items: z.array(galleryItemSchema) }),
  ),
  /** Where `path` is in the filtered order, so the grid can scroll to it; -1 when it does not match. */
  position: defineRequest('gallery/images/position', z.object({ filter: galleryFilterSchema, path: z.string() }), z.object({ index: z.int() })),
  detail: defineRequest('gallery/image/detail', z.object({ path: z.string() }), galleryDetailSchema),
  act: defineRequest('gallery/image/act', z.object({ path: z.string(), action: galleryActionSchema }), z.object({ message: z.nullable(z.string()) })),
  rate: defineRequest('gallery/image/rate', z.object({ path: z.string(), rating: z.int().check(z.minimum(0), z.maximum(5)) }), z.object({ rating: z.int() })),

  // webview → host, no reply
  /** The images near the viewport, most wanted first; replaces the previous wish, so scrolled-past images are not made. */
  wantThumbs: defineCommand('gallery/thumbs/want', z.object({ paths: z.array(z.string()).check(z.maxLength(500)) })),
  saveState: defineCommand('gallery/state/save', z.object({ state: galleryUiStateSchema })),

  // host → webview
  thumbsReady: defineNotification(
    'gallery/thumbs/ready',
    z.object({ thumbs: z.array(z.object({ path: z.string(), uri: z.nullable(z.string()), error: z.optional(z.string()) })) }),
  ),
  /** The set of images or their data changed (a generation, a file dropped in, a rating); re-query what is shown. */
  changed: defineNotification('gallery/images/changed', z.object({ generation: z.int() })),
  /** Show what a filter picks (the gallery opened from a chapter, page or character in the tree). */
  showFilter: defineNotification('gallery/filter/show', z.object({ filter: galleryFilterSchema })),
  /** Select an image and, with `open`, show it in the detail view (the gallery opened from a finished generation). */
  reveal: defineNotification('gallery/image/reveal', z.object({ path: z.string(), open: z.boolean() })),
} as const;
