import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chapterId, datasetFolder } from '../studio/layout';
import { placeExclusive } from '../util/files';
import type { OutputTarget } from './request';

export interface SavedOutput {
  /** Studio-relative paths. */
  readonly image: string;
  readonly sidecar: string;
  readonly version: number;
}

/**
 * output/ch-01/raw/ch01_p001 for a page, output/spyke/raw/spyke for a free generation,
 * datasets/spyke-reg/spyke-reg for a dataset, training/<run>/trials/<checkpoint>/p1 for a checkpoint test.
 */
export function outputStem(target: OutputTarget): { folder: string; stem: string } {
  if (target.kind === 'page') {
    const chapter = String(target.chapter).padStart(2, '0');
    return { folder: `output/${chapterId(target.chapter)}/raw`, stem: `ch${chapter}_p${String(target.page).padStart(3, '0')}` };
  }
  if (target.kind === 'trial') {
    const safe = (name: string): string => name.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^\.+/, '') || 'run';
    return { folder: `training/${safe(target.runId)}/trials/${safe(target.checkpoint)}`, stem: `p${target.prompt + 1}` };
  }
  const subject = (target.kind === 'free' ? target.subject : target.datasetId).replace(/[^a-zA-Z0-9_-]+/g, '-') || 'image';
  return target.kind === 'free' ? { folder: `output/${subject}/raw`, stem: subject } : { folder: datasetFolder(subject), stem: subject };
}

/**
 * Saves an image and the exact workflow that made it as `<stem>_v<N>.png` and
 * `<stem>_v<N>.workflow.json`, N being the next free version. Never overwrites, never leaves a
 * half-written file: both are written to temporary files first and then hard-linked into place,
 * which fails instead of replacing when the name is taken (another window, another tool), in
 * which case the next version is tried. The sidecar lands first, so an image never appears
 * without it.
 */
export async function saveOutput(root: string, target: OutputTarget, image: Uint8Array, workflowJson: string, extension = '.png'): Promise<SavedOutput> {
  const { folder, stem } = outputStem(target);
  const directory = path.join(root, folder);
  await mkdir(directory, { recursive: true });
  const token = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tempImage = path.join(directory, `.${stem}.${token}.tmp`);
  const tempSidecar = path.join(directory, `.${stem}.${token}.json.tmp`);
  try {
    await writeFile(tempImage, image);
    await writeFile(tempSidecar, workflowJson);
    for (let version = await nextVersion(directory, stem); ; version++) {
      const name = `${stem}_v${version}`;
      const sidecar = path.join(directory, `${name}.workflow.json`);
      const finalImage = path.join(directory, `${name}${extension}`);
      if (!(await placeExclusive(tempSidecar, sidecar))) continue;
      if (!(await placeExclusive(tempImage, finalImage))) {
        await rm(sidecar, { force: true });
        continue;
      }
      return { image: `${folder}/${name}${extension}`, sidecar: `${folder}/${name}.workflow.json`, version };
    }
  } finally {
    await rm(tempImage, { force: true });
    await rm(tempSidecar, { force: true });
  }
}

/**
 * The only part of ComfyUI's file name an output keeps: its extension, if it is an image one.
 * The name itself is ours, so a server answering `../../x.png` can never place a file outside
 * the studio's output folder.
 */
export function outputExtension(serverFilename: string): string {
  const extension = /\.(png|jpe?g|webp|gif)$/i.exec(serverFilename)?.[0]?.toLowerCase();
  return extension ?? '.png';
}

/** One more than the highest version of `stem` in the folder, images and sidecars alike. */
export async function nextVersion(directory: string, stem: string): Promise<number> {
  const pattern = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_v(\\d+)\\.`);
  let highest = 0;
  for (const name of await readdir(directory).catch(() => [] as string[])) {
    const match = pattern.exec(name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest + 1;
}

