import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ratingsFile } from '../studio/layout';
import { InvalidInputError } from '../util/errors';
import { isErrnoException, writeFileAtomic } from '../util/files';

/** Writes to one ratings file one after the other, so two quick clicks never lose a rating. */
const writing = new Map<string, Promise<unknown>>();

/**
 * Gives an image 1 to 5 stars, or takes its rating away with 0, in output/ratings.json. The file
 * is the user's: one that is not valid JSON is left alone and reported, never replaced.
 */
export function setRating(root: string, imagePath: string, rating: number): Promise<void> {
  if (!Number.isInteger(rating) || rating < 0 || rating > 5) throw new InvalidInputError('A rating is 0 (none) to 5 stars.');
  const file = path.join(root, ratingsFile);
  const previous = writing.get(file) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(async () => {
    const document = await readRatings(file);
    const ratings = { ...document.ratings };
    if (rating === 0) delete ratings[imagePath];
    else ratings[imagePath] = rating;
    const sorted = Object.fromEntries(Object.entries(ratings).sort(([a], [b]) => (a < b ? -1 : 1)));
    await writeFileAtomic(file, `${JSON.stringify({ ...document, ratings: sorted }, null, 2)}\n`);
  });
  writing.set(file, next);
  const forget = (): void => {
    if (writing.get(file) === next) writing.delete(file);
  };
  next.then(forget, forget);
  return next;
}

async function readRatings(file: string): Promise<{ ratings: Record<string, number> } & Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return { ratings: {} };
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${ratingsFile} is not valid JSON: fix it, or delete it to start the ratings afresh.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidInputError(`${ratingsFile} should hold an object with "ratings"; fix it, or delete it.`);
  const document = value as Record<string, unknown>;
  const ratings = typeof document['ratings'] === 'object' && document['ratings'] !== null ? (document['ratings'] as Record<string, number>) : {};
  return { ...document, ratings };
}
