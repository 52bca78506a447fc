import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../model/problem';
import type { DatasetKind } from '../model/studio';
import { parseDocument } from '../studio/documents';
import { characterFile } from '../studio/layout';
import { datasetJsonSchema } from '../studio/schemas';
import { parseJsonDocument } from '../text/jsonDocument';
import { validate } from '../text/validate';
import { isMissingFile } from '../util/files';

/** sd-scripts' SD 1.5 resolution, and the size product.md asks of training images. */
export const defaultResolution = 512;

/** What the checks and the importer need of a dataset's dataset.json (and its character's trigger). */
export interface DatasetSettings {
  readonly kind: DatasetKind;
  /** Training images are squares of this many pixels. */
  readonly resolution: number;
  /** How often each image is seen per epoch, when dataset.json says; the trainer's default applies otherwise. */
  readonly repeats: number | undefined;
  /** From dataset.json, else from the character's character.md. */
  readonly trigger: string | undefined;
  readonly characterId: string | undefined;
  /** The character's LoRA (`lora:` in character.md): the name a training of this dataset saves under. */
  readonly characterLora: string | undefined;
  /** The character's class (`class:`, "woman", "robot"): the sample prompts' subject. */
  readonly characterClass: string | undefined;
  /** Whether the folder has a dataset.json at all. */
  readonly declared: boolean;
  /** What is wrong in dataset.json itself (syntax, fields), reported at `file`. */
  readonly problems: Problem[];
}

export interface DatasetSettingsOptions {
  /** How problems name dataset.json (a studio-relative path). */
  readonly file: string;
  /** The studio the dataset belongs to, for its character's trigger word; none outside a studio. */
  readonly studioRoot?: string | undefined;
}

/**
 * Reads `<folder>/dataset.json`. Never throws for its content: a broken file yields defaults
 * and problems, as everywhere in the studio. The character is dataset.json's `character`, else
 * the character of the folder's name, as the studio index assumes.
 */
export async function readDatasetSettings(folder: string, options: DatasetSettingsOptions): Promise<DatasetSettings> {
  const text = await readTextIfExists(path.join(folder, 'dataset.json'));
  const json = text === undefined ? undefined : parseJsonDocument(options.file, text);
  const checked = json?.data === undefined ? undefined : validate(datasetJsonSchema, json.data, { file: options.file, locate: json.locate }, 'dataset.invalid');
  const value = checked?.value;
  const characterId = value?.character ?? path.basename(folder);
  const character = await readCharacter(options.studioRoot, characterId);
  return {
    kind: value?.kind ?? 'character',
    resolution: value?.resolution ?? defaultResolution,
    repeats: value?.repeats,
    trigger: value?.trigger ?? character?.trigger,
    characterId: value?.character ?? (character ? characterId : undefined),
    characterLora: character?.lora,
    characterClass: character?.class,
    declared: text !== undefined,
    problems: [...(json?.problems ?? []), ...(checked?.problems ?? [])],
  };
}

interface CharacterFacts {
  readonly trigger: string | undefined;
  readonly lora: string | undefined;
  readonly class: string | undefined;
}

/** What `characters/<id>/character.md` says a dataset needs, when the studio has that character. */
async function readCharacter(studioRoot: string | undefined, characterId: string): Promise<CharacterFacts | undefined> {
  // The id comes from a file a person wrote: it names a folder under characters/, nothing else.
  if (!studioRoot || /[\\/]/.test(characterId) || characterId === '.' || characterId === '..') return undefined;
  const file = characterFile(characterId);
  const text = await readTextIfExists(path.join(studioRoot, file));
  if (text === undefined) return undefined;
  const { document } = parseDocument(file, { role: 'character', characterId }, text);
  if (document.kind !== 'character') return undefined;
  return { trigger: document.trigger, lora: document.lora, class: document.class };
}

async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw error;
  }
}

