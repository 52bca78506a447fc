import { parseManifest } from '../generation/manifest';
import type { Problem } from '../model/problem';
import type { DatasetKind, PanelSummary, StudioConfig } from '../model/studio';
import { parsePromptFile } from '../prompts/parsePromptFile';
import { parseFrontMatter } from '../text/frontMatter';
import { parseJsonDocument } from '../text/jsonDocument';
import { validate } from '../text/validate';
import { chapterNumberOf, loraName, type StudioPathRole } from './layout';
import { characterSchema, chapterSchema, consentSchema, datasetJsonSchema, ratingsSchema, studioJsonSchema } from './schemas';

/** What the index keeps of each file a person writes, already validated. */
export type ParsedDocument =
  | { readonly kind: 'studio'; readonly config: StudioConfig | undefined }
  | {
      readonly kind: 'character';
      readonly characterId: string;
      readonly name: string;
      readonly trigger: string | undefined;
      readonly class: string | undefined;
      readonly lora: string | undefined;
      readonly negative: string | undefined;
      readonly description: string | undefined;
    }
  | { readonly kind: 'consent'; readonly characterId: string; readonly confirmedAt: string | undefined }
  | {
      readonly kind: 'dataset';
      readonly datasetId: string;
      readonly characterId: string | undefined;
      readonly trigger: string | undefined;
      readonly datasetKind: DatasetKind;
      readonly repeats: number;
    }
  | { readonly kind: 'chapter'; readonly chapterId: string; readonly number: number; readonly title: string }
  | { readonly kind: 'page'; readonly chapterId: string; readonly page: number; readonly panels: readonly PanelSummary[] }
  | { readonly kind: 'manifest'; readonly versions: readonly ManifestVersion[] }
  | { readonly kind: 'ratings'; readonly ratings: Readonly<Record<string, number>> };

/** What the index needs of one line of the generation log: which image, which panel, and what the gallery filters and searches on. */
export interface ManifestVersion {
  readonly image: string;
  readonly panel: number | undefined;
  readonly seed: number;
  readonly characterId: string | undefined;
  readonly checkpoint: string;
  readonly lora: string | undefined;
  readonly prompt: string;
  readonly negative: string;
  readonly width: number;
  readonly height: number;
  readonly createdMs: number | undefined;
}

export interface DocumentResult {
  readonly document: ParsedDocument;
  readonly problems: Problem[];
}

export type DocumentRole = Extract<StudioPathRole, { role: 'studio' | 'character' | 'consent' | 'dataset' | 'chapter' | 'page' | 'manifest' | 'ratings' }>;

export const studioDefaults: StudioConfig['defaults'] = {
  width: 512,
  height: 768,
  steps: 24,
  cfg: 7,
  sampler: 'euler_ancestral',
  scheduler: 'normal',
};

export function isDocumentRole(role: StudioPathRole): role is DocumentRole {
  return ['studio', 'character', 'consent', 'dataset', 'chapter', 'page', 'manifest', 'ratings'].includes(role.role);
}

/**
 * Parses one studio document. Never throws: whatever is wrong becomes a problem with its
 * line, and the document still yields what could be read, so one bad file never hides the
 * rest of the studio.
 */
export function parseDocument(file: string, role: DocumentRole, text: string): DocumentResult {
  switch (role.role) {
    case 'studio':
      return parseStudioJson(file, text);
    case 'character':
      return parseCharacter(file, role.characterId, text);
    case 'consent':
      return parseConsent(file, role.characterId, text);
    case 'dataset':
      return parseDatasetJson(file, role.datasetId, text);
    case 'chapter':
      return parseChapter(file, role.chapterId, text);
    case 'page':
      return parsePage(file, role.chapterId, role.page, text);
    case 'manifest':
      return parseManifestDocument(text);
    case 'ratings':
      return parseRatings(file, text);
  }
}

function parseStudioJson(file: string, text: string): DocumentResult {
  const json = parseJsonDocument(file, text);
  if (json.data === undefined) return { document: { kind: 'studio', config: undefined }, problems: json.problems };
  const { value, problems } = validate(studioJsonSchema, json.data, { file, locate: json.locate }, 'studio.invalid');
  const config: StudioConfig | undefined = value && {
    name: value.name,
    defaults: { ...studioDefaults, ...definedOnly(value.defaults ?? {}) },
    galleryRoots: value.gallery?.roots ?? [],
  };
  return { document: { kind: 'studio', config }, problems };
}

function parseCharacter(file: string, characterId: string, text: string): DocumentResult {
  const front = parseFrontMatter(file, text);
  const problems = [...front.problems];
  const data = front.data ?? {};
  const checked = front.data ? validate(characterSchema, data, { file, locate: front.locate }, 'character.invalid') : undefined;
  if (checked) problems.push(...checked.problems);
  const fields = checked?.value;
  if (fields && !fields.trigger) {
    problems.push({
      file,
      range: front.locate([]),
      severity: 'warning',
      code: 'character.no-trigger',
      message: 'No trigger word: add "trigger: <word>" so prompts and LoRA training can call this character.',
    });
  }
  return {
    document: {
      kind: 'character',
      characterId,
      // A broken file still shows up under its folder name, marked with its problems.
      name: fields?.name ?? stringOr(data['name'], characterId),
      trigger: fields?.trigger ?? optionalString(data['trigger']),
      class: fields?.class ?? optionalString(data['class']),
      lora: fields?.lora ?? optionalString(data['lora']),
      negative: fields?.negative ?? optionalString(data['negative']),
      description: fields?.description ?? (firstParagraph(front.body) || undefined),
    },
    problems,
  };
}

function parseConsent(file: string, characterId: string, text: string): DocumentResult {
  const json = parseJsonDocument(file, text);
  const checked = json.data === undefined ? undefined : validate(consentSchema, json.data, { file, locate: json.locate }, 'consent.invalid');
  return {
    document: { kind: 'consent', characterId, confirmedAt: checked?.value?.confirmedAt },
    problems: [...json.problems, ...(checked?.problems ?? [])],
  };
}

function parseDatasetJson(file: string, datasetId: string, text: string): DocumentResult {
  const json = parseJsonDocument(file, text);
  const checked = json.data === undefined ? undefined : validate(datasetJsonSchema, json.data, { file, locate: json.locate }, 'dataset.invalid');
  const value = checked?.value;
  return {
    document: {
      kind: 'dataset',
      datasetId,
      characterId: value?.character,
      trigger: value?.trigger,
      datasetKind: value?.kind ?? 'character',
      repeats: value?.repeats ?? 10,
    },
    problems: [...json.problems, ...(checked?.problems ?? [])],
  };
}

function parseChapter(file: string, chapterId: string, text: string): DocumentResult {
  const front = parseFrontMatter(file, text);
  const checked = front.data ? validate(chapterSchema, front.data, { file, locate: front.locate }, 'chapter.invalid') : undefined;
  return {
    document: {
      kind: 'chapter',
      chapterId,
      number: checked?.value?.number ?? chapterNumberOf(chapterId),
      title: checked?.value?.title ?? firstHeading(front.body) ?? chapterId,
    },
    problems: [...front.problems, ...(checked?.problems ?? [])],
  };
}

/** The index keeps a page's panels; its problems are shown by the prompt-file diagnostics as it is edited. */
function parsePage(file: string, chapterId: string, page: number, text: string): DocumentResult {
  const panels = parsePromptFile(file, text).panels.map((panel) => ({ index: panel.index, title: panel.title, line: panel.headingLine }));
  return { document: { kind: 'page', chapterId, page, panels }, problems: [] };
}

/**
 * The log is written by the generation queue, not by a person: a line it cannot read (cut short
 * by a crash, edited by hand) is left out, and is no problem to show anyone.
 */
function parseManifestDocument(text: string): DocumentResult {
  const versions = parseManifest(text).map((entry) => ({
    image: entry.image,
    panel: entry.target.kind === 'page' && typeof entry.target.panel === 'number' ? entry.target.panel : undefined,
    seed: entry.seed,
    characterId: entry.character ?? undefined,
    checkpoint: entry.checkpoint,
    lora: entry.lora ? loraName(entry.lora.name) : undefined,
    prompt: entry.prompt,
    negative: entry.negative,
    width: entry.width,
    height: entry.height,
    createdMs: timeOf(entry.createdAt),
  }));
  return { document: { kind: 'manifest', versions }, problems: [] };
}

function timeOf(iso: string): number | undefined {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Ratings are written by the gallery; a hand-edited file with a bad entry is reported, and its good entries still count. */
function parseRatings(file: string, text: string): DocumentResult {
  const json = parseJsonDocument(file, text);
  if (json.data === undefined) return { document: { kind: 'ratings', ratings: {} }, problems: json.problems };
  const checked = validate(ratingsSchema, json.data, { file, locate: json.locate }, 'ratings.invalid');
  const raw = typeof json.data === 'object' && json.data !== null ? (json.data as { ratings?: unknown }).ratings : undefined;
  const ratings = checked.value?.ratings ?? Object.fromEntries(Object.entries(typeof raw === 'object' && raw !== null ? raw : {}).filter((e): e is [string, number] => Number.isInteger(e[1]) && e[1] >= 1 && e[1] <= 5));
  return { document: { kind: 'ratings', ratings }, problems: checked.problems };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function stringOr(value: unknown, fallback: string): string {
  return optionalString(value) ?? fallback;
}

function firstParagraph(markdown: string): string {
  const paragraph = markdown.trim().split(/\n\s*\n/)[0] ?? '';
  return paragraph.startsWith('#') ? '' : paragraph.replace(/\s+/g, ' ').trim();
}

function firstHeading(markdown: string): string | undefined {
  return /^#\s+(.+)$/m.exec(markdown)?.[1]?.trim();
}
