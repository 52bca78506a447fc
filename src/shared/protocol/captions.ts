import * as z from 'zod/mini';
import { captionEditSchema } from '../captions/captionEdits';
import { defineCommand, defineNotification, defineRequest } from './ipc';

/** The webview type of the caption editor, one panel per dataset. */
export const captionsViewType = 'studionova.captions';

/**
 * What the webview keeps with VS Code's `setState`: the serializer reopens this dataset's editor
 * after a window reload. Nothing else: the captions themselves are read from disk again.
 */
export const captionsViewStateSchema = z.object({ datasetId: z.string().check(z.minLength(1), z.maxLength(200)) });
export type CaptionsViewState = z.infer<typeof captionsViewStateSchema>;

/** Longer than any caption a trainer reads (CLIP stops at 77 tokens); a bound on what the webview may send. */
const maxCaptionLength = 20_000;
/** A dataset of 2,000 images, with room to spare. */
const maxSelection = 20_000;

/** One image of the dataset and its caption. `id` is the image's stem, as in CaptionStore. */
export const captionRowSchema = z.object({
  id: z.string(),
  /** The image's file name, `spyke_001.png`. */
  name: z.string(),
  /** A webview URI of the image itself: shown when there is no thumbnail (yet, or it failed). */
  image: z.string(),
  /** A webview URI of its cached thumbnail; null until made (then `captions/thumbs/ready` brings it). */
  thumb: z.nullable(z.string()),
  /** The caption's text; empty when missing. */
  text: z.string(),
  /** No caption file. */
  missing: z.boolean(),
  /** The caption file is not UTF-8: shown empty and never rewritten. */
  notUtf8: z.boolean(),
});
export type CaptionRow = z.infer<typeof captionRowSchema>;

export const tagCountSchema = z.object({ tag: z.string(), count: z.int() });

/** A save the disk refused: it changed since the editor last read it. `theirs` is null when the file went. */
export const captionConflictSchema = z.object({ id: z.string(), mine: z.string(), theirs: z.nullable(z.string()) });
export type CaptionConflictInfo = z.infer<typeof captionConflictSchema>;

export const captionHistoryStateSchema = z.object({ canUndo: z.boolean(), canRedo: z.boolean() });

/** A save the host writes in the background: `captions/save/finished` with the same id says how it ended. */
export const captionSavingSchema = z.object({ id: z.int(), count: z.int() });
export type CaptionSaving = z.infer<typeof captionSavingSchema>;

/**
 * What every change request answers as soon as the change is applied, before it is on disk: the
 * rows it changes, as they will be, and the save that writes them.
 */
export const captionChangeResultSchema = z.object({
  /** The changed rows with their new text. */
  rows: z.array(captionRowSchema),
  /** The background save of those rows; null when nothing needed writing. */
  saving: z.nullable(captionSavingSchema),
  /** Undo/redo only: captions of the step left alone because they changed outside since. */
  skipped: z.int(),
  /** Edits made on a text the caption no longer has (changed on disk since): not written, marked to settle. */
  conflicts: z.array(captionConflictSchema),
  /** An edit that could not run (an invalid regular expression, an empty tag): nothing was changed. */
  error: z.nullable(z.string()),
  history: captionHistoryStateSchema,
});
export type CaptionChangeResult = z.infer<typeof captionChangeResultSchema>;

/** How a background save ended: what the disk took, and what stood in its way. */
export const captionSaveFinishedSchema = z.object({
  id: z.int(),
  /** How many captions the disk now holds. */
  saved: z.int(),
  conflicts: z.array(captionConflictSchema),
  failed: z.array(z.object({ id: z.string(), message: z.string() })),
  /** The rows that were not written, as the disk holds them (a conflicted row keeps the version last seen). */
  rows: z.array(captionRowSchema),
  /** The change is an undo step once written. */
  history: captionHistoryStateSchema,
});
export type CaptionSaveFinished = z.infer<typeof captionSaveFinishedSchema>;

export const captionsBootstrapSchema = z.object({
  datasetId: z.string(),
  /** The dataset's trigger word; null when its dataset.json names none. */
  trigger: z.nullable(z.string()),
  rows: z.array(captionRowSchema),
  /** Tag frequency over the dataset, most used first: the add-tag input's suggestions. */
  tags: z.array(tagCountSchema),
  conflicts: z.array(captionConflictSchema),
  history: captionHistoryStateSchema,
  /** A save still being written when the editor (re)opened; its rows show the text being written. */
  saving: z.nullable(captionSavingSchema),
  /** An untrusted folder is read-only. */
  readOnly: z.boolean(),
  /** What Auto-caption's form starts from. */
  autoCaption: z.object({
    /** The prompt template prefilled in the form: the one last used in this workspace, or the default. */
    template: z.string(),
    /** The default template, for the form's "Default prompt". */
    defaultTemplate: z.string(),
    /** The vision model last used in this workspace; null when none was (the form offers Ollama's first). */
    model: z.nullable(z.string()),
    /** What `{class}` stands for: the class of the dataset's character. */
    class: z.string(),
  }),
});
export type CaptionsBootstrap = z.infer<typeof captionsBootstrapSchema>;

const idSchema = z.string().check(z.minLength(1), z.maxLength(500));

/** A vision model installed in Ollama, as the Auto-caption form offers it. */
export const visionModelInfoSchema = z.object({ name: z.string(), parameterSize: z.nullable(z.string()) });
export type VisionModelInfo = z.infer<typeof visionModelInfoSchema>;

/** The vision models, or why there are none to offer (Ollama down, none pulled): said in the form. */
export const visionModelListSchema = z.object({ models: z.array(visionModelInfoSchema), error: z.nullable(z.string()) });
export type VisionModelList = z.infer<typeof visionModelListSchema>;

/** Which images Auto-caption captions: those without a caption, or the given ones. */
export const autoCaptionScopeSchema = z.union([z.literal('uncaptioned'), z.array(idSchema).check(z.minLength(1), z.maxLength(maxSelection))]);
export type AutoCaptionScope = z.infer<typeof autoCaptionScopeSchema>;

/** How an Auto-caption run ended. `error` ends the whole run (Ollama down, the model missing) and says what to do. */
export const autoCaptionFinishedSchema = z.object({
  captioned: z.int(),
  failed: z.array(z.object({ id: z.string(), message: z.string() })),
  cancelled: z.boolean(),
  error: z.nullable(z.string()),
  history: captionHistoryStateSchema,
});
export type AutoCaptionFinished = z.infer<typeof autoCaptionFinishedSchema>;

export const captionsProtocol = {
  // webview → host, with a reply; a change is answered once applied, and `captions/save/finished` says when it is on disk.
  /**
   * One caption's whole text, as typed (sent on blur, Enter or a pause, not per key). `base` is the
   * text the edit was made on: when the caption no longer has it, the edit is a conflict, not a write.
   */
  setCaption: defineRequest(
    'captions/caption/save',
    z.object({ id: idSchema, text: z.string().check(z.maxLength(maxCaptionLength)), base: z.optional(z.string().check(z.maxLength(maxCaptionLength))) }),
    captionChangeResultSchema,
  ),
  /** A batch edit over the selected captions or all of them; one undo step. */
  apply: defineRequest(
    'captions/batch/apply',
    z.object({
      edits: z.array(captionEditSchema).check(z.minLength(1), z.maxLength(16)),
      selection: z.union([z.literal('all'), z.array(idSchema).check(z.maxLength(maxSelection))]),
    }),
    captionChangeResultSchema,
  ),
  undo: defineRequest('captions/history/undo', z.object({}), captionChangeResultSchema),
  redo: defineRequest('captions/history/redo', z.object({}), captionChangeResultSchema),
  /** Ends a conflict: `mine` writes the editor's text over the disk's, `theirs` takes the disk's. */
  resolve: defineRequest('captions/conflict/resolve', z.object({ id: idSchema, keep: z.enum(['mine', 'theirs']) }), captionChangeResultSchema),

  /** Ollama's vision models, for Auto-caption's model choice. */
  listVisionModels: defineRequest('captions/models/list', z.object({}), visionModelListSchema),
  /** Starts captioning with a vision model; answers at once with how many images it will caption (0: nothing to do). */
  startAutoCaption: defineRequest(
    'captions/autocaption/start',
    z.object({ model: z.string().check(z.minLength(1), z.maxLength(200)), template: z.string().check(z.minLength(1), z.maxLength(maxCaptionLength)), scope: autoCaptionScopeSchema }),
    z.object({ total: z.int() }),
  ),

  // webview → host, no reply
  /** Stops the Auto-caption run; the caption being written is dropped, those finished stay saved. */
  cancelAutoCaption: defineCommand('captions/autocaption/cancel', z.object({})),
  /** The rows near the viewport, most wanted first; replaces the previous wish. */
  wantThumbs: defineCommand('captions/thumbs/want', z.object({ ids: z.array(idSchema).check(z.maxLength(500)) })),

  // host → webview
  thumbsReady: defineNotification('captions/thumbs/ready', z.object({ thumbs: z.array(z.object({ id: z.string(), uri: z.nullable(z.string()) })) })),
  /** A change's background save ended. */
  saveFinished: defineNotification('captions/save/finished', captionSaveFinishedSchema),
  /** Captions changed on disk, outside the editor; the rows as they are now. */
  rowsChanged: defineNotification('captions/rows/changed', z.object({ rows: z.array(captionRowSchema), history: captionHistoryStateSchema })),
  /** Captions changed on disk while the editor held an unsaved text for them. */
  conflicts: defineNotification('captions/conflicts/found', z.object({ conflicts: z.array(captionConflictSchema) })),
  /** Auto-caption: `done` of `total` images finished; `current` is the one being captioned, null between. */
  autoCaptionProgress: defineNotification('captions/autocaption/progress', z.object({ done: z.int(), total: z.int(), current: z.nullable(z.string()) })),
  /** Auto-caption: the model's answer so far for one image (finished captions come as `captions/rows/changed`). */
  autoCaptionText: defineNotification('captions/autocaption/text', z.object({ id: z.string(), text: z.string() })),
  autoCaptionFinished: defineNotification('captions/autocaption/finished', autoCaptionFinishedSchema),
} as const;

