import * as z from 'zod/mini';

/** The schemas of the files a person writes. Unknown keys are kept: people add their own notes. */

const dimension = z.int().check(z.gte(64), z.lte(8192), z.multipleOf(8, 'must be a multiple of 8'));

export const studioJsonSchema = z.looseObject({
  name: z.string().check(z.minLength(1)),
  defaults: z.optional(
    z.looseObject({
      checkpoint: z.optional(z.string()),
      negative: z.optional(z.string()),
      width: z.optional(dimension),
      height: z.optional(dimension),
      steps: z.optional(z.int().check(z.gte(1), z.lte(200))),
      cfg: z.optional(z.number().check(z.gte(0), z.lte(30))),
      sampler: z.optional(z.string().check(z.minLength(1))),
      scheduler: z.optional(z.string().check(z.minLength(1))),
    }),
  ),
  gallery: z.optional(
    z.looseObject({
      /** More folders whose images the gallery shows: relative to the studio, or absolute. */
      roots: z.optional(z.array(z.string().check(z.minLength(1)))),
    }),
  ),
});

/** output/ratings.json: stars by image path. */
export const ratingsSchema = z.looseObject({
  ratings: z.record(z.string(), z.int().check(z.gte(1), z.lte(5))),
});

const oneWord = z.string().check(z.regex(/^\S+$/, 'must be one word without spaces'));

export const characterSchema = z.looseObject({
  name: z.string().check(z.minLength(1)),
  trigger: z.optional(oneWord),
  class: z.optional(z.string()),
  lora: z.optional(z.string()),
  negative: z.optional(z.string()),
  description: z.optional(z.string()),
});

export const chapterSchema = z.looseObject({
  number: z.optional(z.int().check(z.gte(1))),
  title: z.optional(z.string().check(z.minLength(1))),
  synopsis: z.optional(z.string()),
  pages: z.optional(z.array(z.string())),
});

export const datasetJsonSchema = z.looseObject({
  character: z.optional(z.string()),
  trigger: z.optional(oneWord),
  kind: z.optional(z.enum(['character', 'regularization'])),
  repeats: z.optional(z.int().check(z.gte(1), z.lte(1000))),
  resolution: z.optional(z.int().check(z.gte(64), z.lte(4096))),
});

export const consentSchema = z.object({
  confirmedAt: z.iso.datetime(),
  statement: z.string(),
});

export type ConsentRecord = z.infer<typeof consentSchema>;
