import type { SqlValue } from 'sql.js';
import type { Facet, GalleryFilter, GallerySummary } from '../../../shared/protocol/gallery';
import type { Asset } from '../../model/studio';
import type { IndexDatabase } from '../indexDatabase';
import type { AssetRepository } from './assetRepository';

/** A WHERE clause and its parameters. */
interface Condition {
  readonly sql: string;
  readonly params: SqlValue[];
}

type Narrowing = Exclude<keyof GalleryFilter, 'sort'>;

const orderBy: Record<GalleryFilter['sort'], string> = {
  date: 'created_ms DESC, path',
  seed: 'seed IS NULL, seed, created_ms DESC, path',
  rating: 'rating DESC, created_ms DESC, path',
};

/**
 * The gallery's questions to the index: which images match a filter, in which order, and how
 * many match each choice of the filter bar. Every query reads only listed images, so an approved
 * copy of a version is counted once, as its raw version.
 */
export class GalleryRepository {
  constructor(
    private readonly db: IndexDatabase,
    private readonly assets: AssetRepository,
  ) {}

  list(filter: GalleryFilter, offset: number, limit: number): Asset[] {
    const where = galleryWhere(filter);
    return this.assets.selectWhere(`WHERE ${where.sql} ORDER BY ${orderBy[filter.sort]} LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
  }

  count(filter: GalleryFilter): number {
    const where = galleryWhere(filter);
    return Number(this.db.get(`SELECT COUNT(*) AS n FROM assets WHERE ${where.sql}`, where.params)?.['n'] ?? 0);
  }

  /** Where the image is in the filtered order; -1 when the filter hides it. */
  position(filter: GalleryFilter, path: string): number {
    const where = galleryWhere(filter);
    const row = this.db.get(
      `SELECT n FROM (SELECT path, ROW_NUMBER() OVER (ORDER BY ${orderBy[filter.sort]}) - 1 AS n FROM assets WHERE ${where.sql}) WHERE path = ?`,
      [...where.params, path],
    );
    return row ? Number(row['n']) : -1;
  }

  summary(filter: GalleryFilter): GallerySummary {
    const countWhere = (condition: Condition, extra = ''): number =>
      Number(this.db.get(`SELECT COUNT(*) AS n FROM assets WHERE ${condition.sql}${extra}`, condition.params)?.['n'] ?? 0);
    const facets = (omit: Narrowing, select: string, from: string, label: (value: string) => string): Facet[] => {
      const where = galleryWhere(filter, omit);
      return this.db
        .all(`SELECT ${select} AS value, COUNT(*) AS n FROM ${from} WHERE ${where.sql} AND ${select} IS NOT NULL GROUP BY value ORDER BY n DESC, value`, where.params)
        .map((row) => ({ value: String(row['value']), label: label(String(row['value'])), count: Number(row['n']) }));
    };
    const names = (sql: string): Map<string, string> => new Map(this.db.all(sql).map((row) => [String(row['id']), String(row['name'])]));
    const characterNames = names('SELECT id, name FROM characters');
    // As the Studio view names them.
    const chapterTitles = names("SELECT id, 'Chapter ' || number || ': ' || title AS name FROM chapters");
    return {
      total: countWhere(galleryWhere({ sort: filter.sort })),
      matching: countWhere(galleryWhere(filter)),
      characters: facets('character', 'character_id', 'assets', (id) => characterNames.get(id) ?? id),
      chapters: facets('chapter', 'chapter_id', 'assets', (id) => chapterTitles.get(id) ?? id),
      pages: filter.chapter === undefined ? [] : facets('page', 'page', 'assets', (page) => `Page ${page}`),
      loras: facets('lora', 'lora.value', 'assets, json_each(assets.loras) AS lora', (name) => name),
      checkpoints: facets('checkpoint', 'checkpoint', 'assets', (name) => name),
      approved: countWhere(galleryWhere(filter, 'approved'), ' AND approved = 1'),
      upscaled: countWhere(galleryWhere(filter, 'upscaled'), " AND stage = 'upscaled'"),
    };
  }
}

/** The filter as SQL over `assets`, leaving out one narrowing when counting that narrowing's own choices. */
export function galleryWhere(filter: GalleryFilter, omit?: Narrowing): Condition {
  const parts = ['assets.listed = 1'];
  const params: SqlValue[] = [];
  const add = (key: Narrowing, sql: string, ...values: SqlValue[]): void => {
    if (key === omit) return;
    parts.push(sql);
    params.push(...values);
  };
  if (filter.character !== undefined) add('character', 'assets.character_id = ?', filter.character);
  if (filter.chapter !== undefined) add('chapter', 'assets.chapter_id = ?', filter.chapter);
  if (filter.page !== undefined) add('page', 'assets.page = ?', filter.page);
  if (filter.lora !== undefined) add('lora', 'EXISTS (SELECT 1 FROM json_each(assets.loras) WHERE value = ?)', filter.lora);
  if (filter.checkpoint !== undefined) add('checkpoint', 'assets.checkpoint = ?', filter.checkpoint);
  if (filter.approved !== undefined) add('approved', 'assets.approved = ?', filter.approved ? 1 : 0);
  if (filter.upscaled !== undefined) add('upscaled', filter.upscaled ? "assets.stage = 'upscaled'" : "(assets.stage IS NULL OR assets.stage <> 'upscaled')");
  if (filter.from !== undefined) add('from', 'assets.created_ms >= ?', localDayStart(filter.from));
  if (filter.to !== undefined) add('to', 'assets.created_ms < ?', localDayStart(filter.to, 1));
  for (const word of searchWords(filter.text)) {
    const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    add('text', "(assets.prompt LIKE ? ESCAPE '\\' OR assets.negative LIKE ? ESCAPE '\\' OR assets.path LIKE ? ESCAPE '\\')", pattern, pattern, pattern);
  }
  return { sql: parts.join(' AND '), params };
}

/** Midnight of a `YYYY-MM-DD` day (plus `days`) in the local time zone: the days people mean. */
function localDayStart(day: string, days = 0): number {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year!, month! - 1, date! + days).getTime();
}

/** Words of a search, each to be found somewhere; quotes keep a phrase together. */
export function searchWords(text: string | undefined): string[] {
  if (!text) return [];
  return [...text.matchAll(/"([^"]+)"|(\S+)/g)].map((match) => (match[1] ?? match[2]!).trim()).filter((word) => word.length > 0);
}
