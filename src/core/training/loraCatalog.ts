import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../settings/settings';
import { errorMessage } from '../util/errors';
import type { LoraFacts } from './model';
import { loraFacts, readSafetensorsHeader } from './safetensorsHeader';

/** A LoRA file in ComfyUI's loras folder, with what its header says. */
export interface CatalogLora {
  /** As ComfyUI's LoraLoader names it: relative to the loras folder, forward slashes. */
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly facts: LoraFacts | null;
  /** Why the header could not be read (a `.ckpt`/`.pt` carries none; a broken file). */
  readonly problem: string | null;
}

/** Checkpoint comparisons stage their files here; they are not the user's LoRAs. */
const trialsFolder = 'studionova-trials';
const loraExtensions = /\.(safetensors|ckpt|pt|pth|bin)$/i;

/**
 * The LoRAs in a ComfyUI loras folder and its subfolders, with their safetensors metadata. Reads
 * only headers, and only of files that changed since the last call (kept by size and mtime), so
 * refreshing the tree costs a directory walk.
 */
export class LoraCatalog {
  private readonly cache = new Map<string, { key: string; entry: CatalogLora }>();

  async list(folder: string): Promise<CatalogLora[]> {
    const found: CatalogLora[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (depth < 4 && !entry.name.startsWith('.') && !(depth === 0 && entry.name === trialsFolder)) await walk(full, depth + 1);
        } else if (loraExtensions.test(entry.name)) {
          found.push(await this.read(folder, full));
        }
      }
    };
    await walk(folder, 0);
    return found.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async read(folder: string, file: string): Promise<CatalogLora> {
    const info = await stat(file);
    const key = `${info.size}:${info.mtimeMs}`;
    const cached = this.cache.get(file);
    if (cached?.key === key) return cached.entry;
    const name = path.relative(folder, file).split(path.sep).join('/');
    let entry: CatalogLora;
    if (!file.toLowerCase().endsWith('.safetensors')) {
      entry = { name, file, bytes: info.size, facts: null, problem: 'no metadata: only .safetensors files carry it' };
    } else {
      try {
        entry = { name, file, bytes: info.size, facts: loraFacts((await readSafetensorsHeader(file)).metadata), problem: null };
      } catch (error) {
        entry = { name, file, bytes: info.size, facts: null, problem: errorMessage(error) };
      }
    }
    this.cache.set(file, { key, entry });
    return entry;
  }
}

/**
 * ComfyUI's `models/<kind>` folder: under `--base-directory` when its arguments name one (as
 * ComfyUI itself resolves it), else under its install folder; none when neither is known.
 */
export function comfyModelsFolder(comfyui: Pick<Settings['comfyui'], 'folder' | 'extraArgs'>, kind: 'loras' | 'checkpoints'): string | undefined {
  const at = comfyui.extraArgs.indexOf('--base-directory');
  const inline = comfyui.extraArgs.find((arg) => arg.startsWith('--base-directory='))?.slice('--base-directory='.length);
  const base = inline ?? (at >= 0 ? comfyui.extraArgs[at + 1] : undefined) ?? comfyui.folder;
  return base ? path.join(path.resolve(comfyui.folder || '.', base), 'models', kind) : undefined;
}
