// The ComfyUI test double as a user would configure it: managed mode, started by the extension
// exactly as it starts the real ComfyUI (python3 main.py …), on a base folder with the models
// the sample studio names.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './harness';

/** A ComfyUI base folder with the (empty) model files the sample studio names. */
export async function comfyBase(): Promise<string> {
  const base = await mkdtemp(path.join(tmpdir(), 'studionova-comfy-base-'));
  for (const [folder, file] of [
    ['checkpoints', 'v1-5-pruned-emaonly.safetensors'],
    ['loras', 'spyke_plasma_v1.safetensors'],
  ] as const) {
    await mkdir(path.join(base, 'models', folder), { recursive: true });
    await writeFile(path.join(base, 'models', folder, file), '');
  }
  // ComfyUI refuses to start from a base directory without it.
  await mkdir(path.join(base, 'custom_nodes'), { recursive: true });
  return base;
}

/** Settings for the managed double; `stepMs` paces its sampler (24 steps an image). */
export function managedComfy(base: string, stepMs = 120): Record<string, unknown> {
  return {
    'studionova.comfyui.mode': 'managed',
    'studionova.comfyui.folder': path.join(repoRoot, 'test', 'fakes', 'comfyui'),
    'studionova.comfyui.python': 'python3',
    'studionova.comfyui.extraArgs': ['--base-directory', base, '--fake-step-ms', String(stepMs), '--preview-method', 'auto'],
  };
}

/** Runs `body` with a fresh base folder, removed afterwards. */
export async function withComfyBase(body: (base: string) => Promise<void>): Promise<void> {
  const base = await comfyBase();
  try {
    await body(base);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
