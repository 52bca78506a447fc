import { createHash } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { manifestFile } from '../studio/layout';
import type { GenerationRequest, OutputTarget } from './request';

export { manifestFile };

/** One line of output/generation-log.jsonl: everything needed to make the image again. */
export interface ManifestEntry {
  readonly image: string;
  readonly workflow: string;
  readonly jobId: string;
  readonly promptId: string;
  readonly createdAt: string;
  readonly seed: number;
  readonly sampler: string;
  readonly scheduler: string;
  readonly steps: number;
  readonly cfg: number;
  readonly width: number;
  readonly height: number;
  readonly checkpoint: string;
  readonly lora: { readonly name: string; readonly strength: number } | null;
  readonly template: string;
  readonly character: string | null;
  readonly target: OutputTarget;
  /** The page file the prompt came from; null for a generation typed in, and for lines written before it was recorded. */
  readonly promptFile: string | null;
  readonly prompt: string;
  readonly negative: string;
  readonly promptHash: string;
  readonly comfyuiVersion: string | null;
  /** Kept apart: time waiting in ComfyUI's queue, running, and downloading and saving. */
  readonly timings: { readonly queueWaitMs: number; readonly runMs: number; readonly downloadMs: number };
}

/** Same prompt and negative, same hash: finds every image made from one prompt text. */
export function promptHash(request: Pick<GenerationRequest, 'prompt' | 'negative'>): string {
  return createHash('sha256').update(request.prompt).update('\0').update(request.negative).digest('hex').slice(0, 16);
}

/** Appends one line. Lines are small and written with O_APPEND, so concurrent writers never interleave within a line. */
export async function appendManifest(root: string, entry: ManifestEntry): Promise<void> {
  const file = path.join(root, manifestFile);
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(entry)}\n`, { flag: 'a' });
}

/**
 * The entries of a manifest's text, in order. A line that is not an entry (cut short by a crash,
 * edited by hand, from another tool) is skipped, never fatal: the manifest only adds to what
 * the images and their sidecars already say.
 */
export function parseManifest(text: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isManifestEntry(value)) entries.push(value.promptFile === undefined ? { ...value, promptFile: null } : value);
    } catch {
      // Not JSON: skipped, as said above.
    }
  }
  return entries;
}

function isManifestEntry(value: unknown): value is ManifestEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry['image'] === 'string' && typeof entry['seed'] === 'number' && typeof entry['target'] === 'object' && entry['target'] !== null;
}
