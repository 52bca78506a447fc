// Prepares the sd-scripts test double (test/fakes/sd-scripts) and its `accelerate` launcher
// (test/fakes/accelerate) the way a user's install looks: a folder holding train_network.py,
// an `accelerate` executable and a base checkpoint. The extension then launches it exactly like
// the real trainer; the double's knobs go in fake_behaviour.json beside train_network.py.
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Rgb, writeSolidPng } from './datasetImages';
import { repositoryFile } from './doubleProcess';

/** The knobs of test/fakes/sd-scripts/fake_behaviour.py; see its DEFAULTS for what each does. */
export interface FakeBehaviour {
  /** Time of one micro-step (default 120). Below 100 ms tqdm's bar stops redrawing on update(), as the real one does. */
  step_ms: number;
  /** Silence before anything is printed (default 0). */
  startup_ms: number;
  /** Silence after the banner, while the real trainer hashes the base model (default 0). */
  hash_pause_ms: number;
  /** Time per sample image (default 0). */
  sample_ms: number;
  /** Pause halfway through writing each checkpoint (default 0). */
  save_ms: number;
  /** Global step (1-based) that runs out of CUDA memory: traceback, exit 1 (default null). */
  oom_at_step: number | null;
  /** From this global step on the loss is NaN (default null). */
  nan_at_step: number | null;
  /** Train, then exit 0 without the final file and without `model saved.` (default false). */
  exit_zero_without_saving: boolean;
  /** What `accelerator device:` prints (default cuda). */
  device: 'cuda' | 'mps' | 'cpu';
  /** Packages reported as not installed: bitsandbytes, xformers, lion_pytorch, prodigyopt, dadaptation, schedulefree, wandb, lycoris. */
  missing_packages: string[];
}

export interface FakeSdScripts {
  /** The sd-scripts folder (train_network.py); the trainer's working directory. */
  folder: string;
  /** An executable `accelerate` (a python3 script) that runs `launch` like accelerate 1.6.0. */
  accelerate: string;
  /** The Python to run train_network.py with. */
  python: string;
  /** A tiny but valid `v1-5-pruned-emaonly.safetensors`. */
  baseModel: string;
  /** Rewrites fake_behaviour.json; the next launch reads it. */
  setBehaviour(behaviour: Partial<FakeBehaviour>): Promise<void>;
  /** Removes everything prepareFakeSdScripts made. */
  cleanup(): Promise<void>;
}

/**
 * Copies the double into a fresh temporary folder:
 *   <tmp>/sd-scripts/            train_network.py, fake_*.py, fake_behaviour.json
 *   <tmp>/bin/accelerate         the launcher double
 *   <tmp>/models/v1-5-pruned-emaonly.safetensors
 */
export async function prepareFakeSdScripts(options: { behaviour?: Partial<FakeBehaviour> } = {}): Promise<FakeSdScripts> {
  const root = await mkdtemp(path.join(tmpdir(), 'fake-sd-scripts-'));
  const folder = path.join(root, 'sd-scripts');
  const accelerate = path.join(root, 'bin', 'accelerate');
  const baseModel = path.join(root, 'models', 'v1-5-pruned-emaonly.safetensors');
  const source = path.dirname(repositoryFile(path.join('test', 'fakes', 'sd-scripts', 'train_network.py')));
  await cp(source, folder, { recursive: true, filter: (file) => !file.includes('__pycache__') && path.basename(file) !== 'fake_behaviour.json' });
  await mkdir(path.dirname(accelerate), { recursive: true });
  await cp(repositoryFile(path.join('test', 'fakes', 'accelerate', 'accelerate')), accelerate);
  await chmod(accelerate, 0o755);
  await mkdir(path.dirname(baseModel), { recursive: true });
  await writeFile(baseModel, tinySafetensors());
  const setBehaviour = (behaviour: Partial<FakeBehaviour>): Promise<void> =>
    writeFile(path.join(folder, 'fake_behaviour.json'), JSON.stringify(behaviour, null, 2));
  await setBehaviour(options.behaviour ?? {});
  return {
    folder,
    accelerate,
    python: 'python3',
    baseModel,
    setBehaviour,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A safetensors file with one F32 tensor and no metadata: what sd-scripts needs to find a file. */
function tinySafetensors(): Buffer {
  const data = Buffer.alloc(16);
  data.writeFloatLE(0.5, 0);
  let header = JSON.stringify({ 'model.diffusion_model.out.2.bias': { dtype: 'F32', shape: [4], data_offsets: [0, 16] } });
  header += ' '.repeat((8 - (header.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([length, Buffer.from(header), data]);
}

export interface CaptionedImagesOptions {
  /** The caption of image i (1-based); null writes no caption file. Default `"<i>, solo, portrait"`. */
  caption?: (i: number) => string | null;
  /** Caption file extension, with its dot (default `.txt`). */
  extension?: string;
  /** Side of the square PNGs (default 64). */
  size?: number;
}

/** Writes `count` PNGs (`img_01.png` …, each a different colour) with their caption files into `folder`; returns the image paths. */
export async function writeCaptionedImages(folder: string, count: number, options: CaptionedImagesOptions = {}): Promise<string[]> {
  const extension = options.extension ?? '.txt';
  const images: string[] = [];
  for (let i = 1; i <= count; i++) {
    const stem = path.join(folder, `img_${String(i).padStart(2, '0')}`);
    const colour: Rgb = [(i * 53) % 256, (i * 97) % 256, (i * 151) % 256];
    await writeSolidPng(`${stem}.png`, options.size ?? 64, colour);
    const caption = options.caption ? options.caption(i) : `${i}, solo, portrait`;
    if (caption !== null) await writeFile(`${stem}${extension}`, `${caption}\n`);
    images.push(`${stem}.png`);
  }
  return images;
}
