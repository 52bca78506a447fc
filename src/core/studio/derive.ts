import type { Problem } from '../model/problem';
import type { Asset, Chapter, Character, Dataset, ImageFacts, Lora, Page, StudioConfig } from '../model/studio';
import type { DocumentResult, ManifestVersion, ParsedDocument } from './documents';
import { characterFile, chapterFile, chapterId, chapterNumberOf, datasetFolder, type GeneratedName, generatedNameOf, loraName, sidecarOf, studioFile } from './layout';
import type { StudioFile } from './scanner';

/** Everything the index holds that comes from the files. */
export interface StudioModel {
  readonly config: StudioConfig | undefined;
  readonly characters: Character[];
  readonly datasets: Dataset[];
  readonly loras: Lora[];
  readonly chapters: Chapter[];
  readonly pages: Page[];
  readonly assets: Asset[];
  readonly problems: Problem[];
}

type Of<K extends ParsedDocument['kind']> = Extract<ParsedDocument, { kind: K }>;

/**
 * Builds the studio's entities from its files and their parsed documents. Pure: the same files
 * always give the same model, which is what lets the index be thrown away and rebuilt.
 */
export function deriveStudioModel(files: readonly StudioFile[], documents: ReadonlyMap<string, DocumentResult>, facts: ReadonlyMap<string, ImageFacts> = new Map()): StudioModel {
  const byKind = <K extends ParsedDocument['kind']>(kind: K): Array<Of<K>> =>
    [...documents.values()].map((result) => result.document).filter((document): document is Of<K> => document.kind === kind);
  const problems = [...documents.values()].flatMap((result) => result.problems);

  const studio = byKind('studio')[0];
  const consent = new Map(byKind('consent').map((c) => [c.characterId, c.confirmedAt]));
  const characters: Character[] = byKind('character').map((c) => ({
    id: c.characterId,
    name: c.name,
    trigger: c.trigger,
    class: c.class,
    lora: c.lora,
    negative: c.negative,
    description: c.description,
    path: characterFile(c.characterId),
    consentAt: consent.get(c.characterId),
  }));
  const characterIds = new Set(characters.map((c) => c.id));

  const datasets = deriveDatasets(files, byKind('dataset'), characters);
  for (const dataset of byKind('dataset')) {
    if (dataset.characterId && !characterIds.has(dataset.characterId)) {
      problems.push({
        file: `${datasetFolder(dataset.datasetId)}/dataset.json`,
        range: { startLine: 0, startColumn: 0, endLine: 0, endColumn: 1 },
        severity: 'warning',
        code: 'dataset.unknown-character',
        message: `Character "${dataset.characterId}" does not exist: create characters/${dataset.characterId}/character.md or fix "character".`,
      });
    }
  }

  const chapters: Chapter[] = byKind('chapter')
    .map((c) => ({ id: c.chapterId, number: c.number, title: c.title, path: chapterFile(c.chapterId) }));
  const chapterIds = new Set(chapters.map((c) => c.id));
  const pages: Page[] = [];
  for (const file of files) {
    if (file.role.role !== 'page') continue;
    const parsed = documents.get(file.path)?.document;
    // A page folder without chapter.md is still a chapter: people often write pages first.
    if (!chapterIds.has(file.role.chapterId)) {
      chapterIds.add(file.role.chapterId);
      chapters.push({ id: file.role.chapterId, number: chapterNumberOf(file.role.chapterId), title: file.role.chapterId, path: chapterFile(file.role.chapterId) });
    }
    const panels = parsed?.kind === 'page' ? parsed.panels : [];
    pages.push({ path: file.path, chapterId: file.role.chapterId, number: file.role.page, panelCount: panels.length, panels });
  }
  chapters.sort((a, b) => a.number - b.number || a.id.localeCompare(b.id));
  pages.sort((a, b) => a.chapterId.localeCompare(b.chapterId) || a.number - b.number);

  return {
    config: studio?.config,
    characters: characters.sort((a, b) => a.name.localeCompare(b.name)),
    datasets,
    loras: deriveLoras(files, characters),
    chapters,
    pages,
    assets: deriveAssets(files, byKind('manifest')[0], byKind('ratings')[0], facts),
    problems: problems.concat(missingStudioJson(files)),
  };
}

function deriveDatasets(files: readonly StudioFile[], declared: ReadonlyArray<Of<'dataset'>>, characters: readonly Character[]): Dataset[] {
  const images = new Map<string, Set<string>>();
  const captions = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, id: string, stem: string): void => {
    const set = map.get(id) ?? new Set<string>();
    set.add(stem);
    map.set(id, set);
  };
  for (const file of files) {
    if (file.role.role === 'dataset-image') add(images, file.role.datasetId, file.role.stem);
    if (file.role.role === 'caption') add(captions, file.role.datasetId, file.role.stem);
  }
  const declaredById = new Map(declared.map((d) => [d.datasetId, d]));
  // A folder of images under datasets/ is a dataset even before it has a dataset.json.
  const ids = new Set([...declaredById.keys(), ...images.keys()]);
  return [...ids].sort().map((id) => {
    const document = declaredById.get(id);
    const characterId = document?.characterId ?? (characters.some((c) => c.id === id) ? id : undefined);
    const imageStems = images.get(id) ?? new Set<string>();
    const captionStems = captions.get(id) ?? new Set<string>();
    return {
      id,
      characterId,
      trigger: document?.trigger ?? characters.find((c) => c.id === characterId)?.trigger,
      kind: document?.datasetKind ?? 'character',
      repeats: document?.repeats ?? 10,
      path: datasetFolder(id),
      imageCount: imageStems.size,
      captionedCount: [...imageStems].filter((stem) => captionStems.has(stem)).length,
    };
  });
}

function deriveLoras(files: readonly StudioFile[], characters: readonly Character[]): Lora[] {
  const loras = new Map<string, Lora>();
  const ownerOf = (name: string): string | undefined => characters.find((c) => c.lora && loraName(c.lora) === name)?.id;
  for (const file of files) {
    if (file.role.role !== 'lora') continue;
    const name = file.role.name;
    // Training writes intermediate checkpoints too; the newest file of a name represents it.
    const existing = loras.get(name);
    if (!existing || existing.path! < file.path) loras.set(name, { name, path: file.path, characterId: ownerOf(name), source: 'training' });
  }
  for (const character of characters) {
    if (!character.lora) continue;
    const name = loraName(character.lora);
    if (!loras.has(name)) loras.set(name, { name, path: undefined, characterId: character.id, source: 'declared' });
  }
  return [...loras.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function deriveAssets(files: readonly StudioFile[], manifest: Of<'manifest'> | undefined, ratings: Of<'ratings'> | undefined, facts: ReadonlyMap<string, ImageFacts>): Asset[] {
  const paths = new Set(files.map((f) => f.path));
  const versions = versionsByName(manifest);
  const approvedCopies = new Set(files.filter((f) => f.role.role === 'asset' && f.role.stage === 'approved' && f.role.generated).map((f) => copyKey(f.path)));
  const assets: Asset[] = [];
  for (const file of files) {
    if (file.role.role !== 'asset') continue;
    const { generated, stage } = file.role;
    const version = generated && versions.get(versionKey(generated));
    const own = facts.get(file.path);
    const isApprovedCopy = stage === 'approved' && generated !== undefined;
    // output/ch-01/approved/x.png is a copy of output/ch-01/raw/x.png.
    const rawPath = isApprovedCopy ? file.path.replace(/\/approved\/([^/]+)$/, '/raw/$1') : undefined;
    assets.push({
      path: file.path,
      kind: 'image',
      chapterId: generated ? chapterId(generated.chapter) : undefined,
      page: generated?.page,
      version: generated?.version,
      stage,
      size: file.size,
      mtimeMs: file.mtimeMs,
      hasSidecar: paths.has(sidecarOf(file.path)),
      panel: version?.panel,
      seed: version?.seed ?? own?.seed,
      source: version ? 'studionova' : (own?.source ?? 'unknown'),
      characterId: version?.characterId,
      checkpoint: version?.checkpoint ?? own?.checkpoint,
      loras: version ? (version.lora ? [version.lora] : []) : (own?.loras ?? []),
      prompt: version?.prompt ?? own?.prompt,
      negative: version?.negative ?? own?.negative,
      width: version?.width ?? own?.width,
      height: version?.height ?? own?.height,
      // An upscaled or retouched copy was made when its file was; the log dates the raw image.
      createdMs: (stage === 'raw' ? version?.createdMs : undefined) ?? file.mtimeMs,
      approved: isApprovedCopy || (stage === 'raw' && generated !== undefined && approvedCopies.has(copyKey(file.path))),
      // The approved copy is the same picture as its raw version: shown once, as the raw one.
      listed: rawPath === undefined || !paths.has(rawPath),
      rating: ratings?.ratings[file.path] ?? (rawPath === undefined ? 0 : (ratings?.ratings[rawPath] ?? 0)),
    });
  }
  return assets;
}

/** A raw version and its approved copy share the chapter folder and the file name. */
function copyKey(imagePath: string): string {
  const parts = imagePath.split('/');
  return `${parts.slice(0, -2).join('/')}/${parts[parts.length - 1]}`;
}

/** The images whose parameters only their own metadata can tell: the generation log has no line for them. */
export function unrecordedImages(files: readonly StudioFile[], documents: ReadonlyMap<string, DocumentResult>): StudioFile[] {
  const manifest = [...documents.values()].map((d) => d.document).find((d): d is Of<'manifest'> => d.kind === 'manifest');
  const versions = versionsByName(manifest);
  return files.filter((file) => file.role.role === 'asset' && !(file.role.generated && versions.has(versionKey(file.role.generated))));
}

/**
 * The log names the raw image; an approved or upscaled copy keeps its file name in another
 * folder, so lines are matched by chapter, page and version, not by path. Once deleted images
 * free their version numbers, a later line reuses one: the last line names the file there now.
 */
function versionsByName(manifest: Of<'manifest'> | undefined): Map<string, ManifestVersion> {
  const versions = new Map<string, ManifestVersion>();
  for (const version of manifest?.versions ?? []) {
    const generated = generatedNameOf(version.image.replace(/^.*[\\/]/, ''));
    if (generated) versions.set(versionKey(generated), version);
  }
  return versions;
}

const versionKey = (name: GeneratedName): string => `${name.chapter}/${name.page}/${name.version}`;

function missingStudioJson(files: readonly StudioFile[]): Problem[] {
  return files.some((f) => f.path === studioFile)
    ? []
    : [{ file: studioFile, range: { startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 }, severity: 'error', code: 'studio.missing', message: 'studio.json is missing: run "StudioNOVA: New Studio" to create it.' }];
}
