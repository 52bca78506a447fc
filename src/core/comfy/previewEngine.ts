import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ComfySettings } from './comfyEngine';

/**
 * The ComfyUI test double that `npm run studio -- --preview-engines` starts carries a marker file
 * beside its main.py. Whatever shows that engine says so, so nobody mistakes its pictures for
 * ComfyUI's.
 */
export async function previewEngineLabel(comfy: ComfySettings): Promise<string | undefined> {
  if (comfy.mode !== 'managed' || !comfy.folder) return undefined;
  try {
    const marker = JSON.parse(await readFile(path.join(comfy.folder, 'preview-engine.json'), 'utf8')) as { label?: unknown };
    return typeof marker.label === 'string' ? marker.label : 'preview engine';
  } catch {
    return undefined;
  }
}
