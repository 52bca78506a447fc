import type { ImageSource } from '../../shared/protocol/gallery';

/** The domain as the index stores it. Paths are studio-relative with forward slashes. */

export interface StudioDefaults {
  readonly checkpoint?: string | undefined;
  readonly negative?: string | undefined;
  readonly width: number;
  readonly height: number;
  readonly steps: number;
  readonly cfg: number;
  readonly sampler: string;
  readonly scheduler: string;
}

export interface StudioConfig {
  readonly name: string;
  readonly defaults: StudioDefaults;
  /** Folders outside output/ whose images the gallery shows, as written in studio.json. */
  readonly galleryRoots: readonly string[];
}

export interface Character {
  readonly id: string;
  readonly name: string;
  readonly trigger: string | undefined;
  readonly class: string | undefined;
  readonly lora: string | undefined;
  /** Negative prompt words added to every generation of this character. */
  readonly negative: string | undefined;
  readonly description: string | undefined;
  /** characters/<id>/character.md */
  readonly path: string;
  /** When the user confirmed the responsible-use statement for this character's images. */
  readonly consentAt: string | undefined;
}

export type DatasetKind = 'character' | 'regularization';

export interface Dataset {
  readonly id: string;
  readonly characterId: string | undefined;
  readonly trigger: string | undefined;
  readonly kind: DatasetKind;
  readonly repeats: number;
  /** datasets/<id> */
  readonly path: string;
  readonly imageCount: number;
  readonly captionedCount: number;
}

/** Where a LoRA was found: a file under training/, or only named by a character. */
export type LoraSource = 'training' | 'declared';

export interface Lora {
  readonly name: string;
  readonly path: string | undefined;
  readonly characterId: string | undefined;
  readonly source: LoraSource;
}

export interface Chapter {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  /** chapters/<id>/chapter.md */
  readonly path: string;
}

/** A panel of a page as the tree lists it: enough to name it and jump to it. */
export interface PanelSummary {
  /** 1-based position in the page, the `n` of `panel-<n>`. */
  readonly index: number;
  readonly title: string;
  /** Zero-based line of its `## ` heading. */
  readonly line: number;
}

export interface Page {
  /** chapters/<chapter>/pNNN.page.md */
  readonly path: string;
  readonly chapterId: string;
  readonly number: number;
  readonly panelCount: number;
  readonly panels: readonly PanelSummary[];
}

export interface Asset {
  readonly path: string;
  readonly kind: 'image';
  readonly chapterId: string | undefined;
  readonly page: number | undefined;
  readonly version: number | undefined;
  /** The folder below output/ch-XX/: raw, approved, upscaled… */
  readonly stage: string | undefined;
  readonly size: number;
  readonly mtimeMs: number;
  readonly hasSidecar: boolean;
  /** The panel it was generated for, from its line in output/generation-log.jsonl. */
  readonly panel: number | undefined;
  /** Its seed, from the same line, or from the image's own metadata. */
  readonly seed: number | undefined;
  /** Which tool made it, as far as its generation-log line or its own metadata tell. */
  readonly source: ImageSource;
  readonly characterId: string | undefined;
  readonly checkpoint: string | undefined;
  /** LoRA names, without `.safetensors`. */
  readonly loras: readonly string[];
  readonly prompt: string | undefined;
  readonly negative: string | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
  /** When it was made: its log line's time, else the file's. */
  readonly createdMs: number;
  /** It is a panel's approved version, or that version's approved copy. */
  readonly approved: boolean;
  /** False for an approved copy whose raw version is there too: the gallery shows the image once. */
  readonly listed: boolean;
  /** 0 (not rated) to 5, from output/ratings.json. */
  readonly rating: number;
}

/** What an image's own metadata says, for images the generation log does not know. */
export interface ImageFacts {
  readonly source: ImageSource;
  readonly seed: number | undefined;
  readonly checkpoint: string | undefined;
  readonly loras: readonly string[];
  readonly prompt: string | undefined;
  readonly negative: string | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
}

export interface StudioCounts {
  readonly characters: number;
  readonly datasets: number;
  readonly loras: number;
  readonly chapters: number;
  readonly pages: number;
  readonly assets: number;
  readonly problems: number;
}
