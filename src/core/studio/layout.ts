/**
 * Where things live in a studio folder. Everything that knows a path convention asks here,
 * so the convention is written once.
 */

export const studioFile = 'studio.json';
export const indexFolder = '.studio';
export const indexFile = '.studio/index.sqlite';
/** One JSON line per generated image: how it was made, for the gallery and for making it again. */
export const manifestFile = 'output/generation-log.jsonl';
/** The user's star ratings of images, by path: the user's own data, so a file, not the index. */
export const ratingsFile = 'output/ratings.json';
/** Thumbnails of the gallery, made on demand and thrown away with the index. */
export const thumbnailFolder = '.studio/thumbs';

export const topFolders = ['characters', 'datasets', 'chapters', 'workflows', 'output', 'training'] as const;

export const characterFile = (id: string): string => `characters/${id}/character.md`;
export const consentFile = (id: string): string => `characters/${id}/consent.json`;
export const characterRefsFolder = (id: string): string => `characters/${id}/refs`;
export const datasetFolder = (id: string): string => `datasets/${id}`;
export const datasetFile = (id: string): string => `datasets/${id}/dataset.json`;
/**
 * Inside a dataset folder: the imported originals, kept untouched beside the training images,
 * and the record of images made from others (flips), so they can be told apart and removed.
 * Neither is a training image: the classifier takes only files directly in `datasets/<id>/`,
 * and `derived.json` is not `dataset.json`.
 */
export const datasetOriginalsName = 'originals';
export const datasetDerivedName = 'derived.json';
export const datasetOriginalsFolder = (id: string): string => `datasets/${id}/${datasetOriginalsName}`;
export const datasetDerivedFile = (id: string): string => `datasets/${id}/${datasetDerivedName}`;
export const chapterFolder = (id: string): string => `chapters/${id}`;
export const chapterFile = (id: string): string => `chapters/${id}/chapter.md`;
export const pageFile = (chapterId: string, page: number): string =>
  `chapters/${chapterId}/p${String(page).padStart(3, '0')}.page.md`;
/** ch-01 for chapter 1: the folder name product.md uses. */
export const chapterId = (chapter: number): string => `ch-${String(chapter).padStart(2, '0')}`;
/** 1 for ch-01; 0 for a folder name without a number. */
export const chapterNumberOf = (id: string): number => Number(/(\d+)$/.exec(id)?.[1] ?? 0);
/** output/ch-01/raw/ch01_p001_v1.png → output/ch-01/raw/ch01_p001_v1.workflow.json */
export const sidecarOf = (imagePath: string): string => imagePath.replace(/\.[^./]+$/, '.workflow.json');

const imageExtension = /\.(png|jpe?g|webp)$/i;
const pageName = /^p(\d{1,4})\.page\.md$/;
/** ch01_p001_v3.png — the naming convention of generated images. */
const generatedName = /^ch(\d+)_p(\d+)_v(\d+)\.(png|jpe?g|webp)$/i;

export const isImageFile = (name: string): boolean => imageExtension.test(name);

/** What a file is to the studio, with the ids its path carries. */
export type StudioPathRole =
  | { readonly role: 'studio' }
  | { readonly role: 'character'; readonly characterId: string }
  | { readonly role: 'consent'; readonly characterId: string }
  | { readonly role: 'reference'; readonly characterId: string }
  | { readonly role: 'dataset'; readonly datasetId: string }
  | { readonly role: 'dataset-image'; readonly datasetId: string; readonly stem: string }
  | { readonly role: 'caption'; readonly datasetId: string; readonly stem: string }
  | { readonly role: 'chapter'; readonly chapterId: string }
  | { readonly role: 'page'; readonly chapterId: string; readonly page: number }
  | { readonly role: 'asset'; readonly generated: GeneratedName | undefined; readonly stage: string | undefined }
  | { readonly role: 'sidecar' }
  | { readonly role: 'manifest' }
  | { readonly role: 'ratings' }
  | { readonly role: 'lora'; readonly name: string }
  | { readonly role: 'workflow'; readonly name: string };

export interface GeneratedName {
  readonly chapter: number;
  readonly page: number;
  readonly version: number;
}

/** Folders the scanner never enters: the index itself, version control, dependencies. */
export function isIgnoredFolder(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** Classifies a studio-relative, forward-slash path; undefined for files the studio does not track. */
export function classifyStudioPath(studioPath: string): StudioPathRole | undefined {
  const parts = studioPath.split('/');
  const name = parts[parts.length - 1]!;
  if (parts.some((part, i) => i < parts.length - 1 && isIgnoredFolder(part))) return undefined;
  if (studioPath === studioFile) return { role: 'studio' };
  const [top, id] = parts;
  if (!id) return undefined;
  switch (top) {
    case 'characters':
      if (parts.length === 3 && name === 'character.md') return { role: 'character', characterId: id };
      if (parts.length === 3 && name === 'consent.json') return { role: 'consent', characterId: id };
      if (parts.length === 4 && parts[2] === 'refs' && isImageFile(name)) return { role: 'reference', characterId: id };
      return undefined;
    case 'datasets':
      if (parts.length !== 3) return undefined;
      if (name === 'dataset.json') return { role: 'dataset', datasetId: id };
      if (isImageFile(name)) return { role: 'dataset-image', datasetId: id, stem: stemOf(name) };
      if (name.endsWith('.txt')) return { role: 'caption', datasetId: id, stem: stemOf(name) };
      return undefined;
    case 'chapters': {
      if (parts.length !== 3) return undefined;
      if (name === 'chapter.md') return { role: 'chapter', chapterId: id };
      const page = pageName.exec(name);
      return page ? { role: 'page', chapterId: id, page: Number(page[1]) } : undefined;
    }
    case 'output':
      if (studioPath === manifestFile) return { role: 'manifest' };
      if (studioPath === ratingsFile) return { role: 'ratings' };
      if (name.endsWith('.workflow.json')) return { role: 'sidecar' };
      if (!isImageFile(name)) return undefined;
      return { role: 'asset', generated: generatedNameOf(name), stage: parts.length >= 4 ? parts[parts.length - 2] : undefined };
    case 'training':
      return name.endsWith('.safetensors') ? { role: 'lora', name: stemOf(name) } : undefined;
    case 'workflows':
      return parts.length === 2 && name.endsWith('.json') ? { role: 'workflow', name: stemOf(name) } : undefined;
    default:
      return undefined;
  }
}

/** Chapter, page and version of `ch01_p001_v3.png`; undefined for any other file name. */
export function generatedNameOf(name: string): GeneratedName | undefined {
  const generated = generatedName.exec(name);
  return generated ? { chapter: Number(generated[1]), page: Number(generated[2]), version: Number(generated[3]) } : undefined;
}

/** `spyke_001.png` → `spyke_001`: an image and its caption share it. */
export function stemOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** `spyke_plasma_v1.safetensors` and `spyke_plasma_v1` name the same LoRA. */
export function loraName(fileOrName: string): string {
  return fileOrName.replace(/^.*[\\/]/, '').replace(/\.safetensors$/i, '');
}
