import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApiWorkflow } from '../comfy/comfyClient';
import { WorkflowError } from '../comfy/errors';
import { fillWorkflow } from '../comfy/workflow/fill';
import { toApiWorkflow } from '../comfy/workflow/format';
import { detectSlots } from '../comfy/workflow/slots';
import { sidecarOf } from '../studio/layout';
import { AppError } from '../util/errors';
import { isErrnoException } from '../util/files';
import { manifestFile, type ManifestEntry, parseManifest } from './manifest';
import { type GenerationRequest, seedsFor } from './request';
import { versionPaths } from './versionPaths';

/** A version as it was made: its manifest line and the exact workflow saved beside it. */
export interface RecordedVersion {
  /** The raw image, as the manifest names it. */
  readonly image: string;
  readonly entry: ManifestEntry;
  readonly workflow: ApiWorkflow;
  /** The sidecar the workflow was read from. */
  readonly sidecar: string;
}

/**
 * Reads how a version was made, from its raw image or an approved copy of it. Both halves are
 * needed: the manifest line says what the image is (panel, prompt file, seed), the sidecar is
 * what ComfyUI ran. Either missing is an error that says which and what to do instead.
 */
export async function readVersion(root: string, imagePath: string): Promise<RecordedVersion> {
  const { raw } = versionPaths(imagePath);
  const entry = lastEntryFor(await readManifest(root), raw);
  if (!entry) {
    throw new AppError(
      'version_unrecorded',
      `${manifestFile} has no line for ${raw}, so how it was made is not known and it cannot be re-run. Generate the panel again from its page file.`,
    );
  }
  // An approved copy's own sidecar first: it is what the person sees beside the image.
  for (const sidecar of new Set([sidecarOf(imagePath), sidecarOf(raw)])) {
    const text = await readFile(path.join(root, sidecar), 'utf8').catch((error: unknown) => {
      if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text !== undefined) return { image: raw, entry, workflow: parseWorkflow(text, sidecar), sidecar };
  }
  throw new AppError(
    'version_sidecar_missing',
    `${sidecarOf(raw)} is missing: the exact workflow that made ${raw} is gone, so it cannot be re-run. Generate the panel again from its page file.`,
  );
}

/** The request a manifest line describes, for one image with `seed`: what the new line will record. */
export function rerunRequest(entry: ManifestEntry, seed: number): GenerationRequest {
  return {
    template: entry.template,
    characterId: entry.character ?? undefined,
    prompt: entry.prompt,
    negative: entry.negative,
    width: entry.width,
    height: entry.height,
    steps: entry.steps,
    cfg: entry.cfg,
    sampler: entry.sampler,
    scheduler: entry.scheduler,
    checkpoint: entry.checkpoint,
    lora: entry.lora ?? undefined,
    target: entry.target,
    promptFile: entry.promptFile ?? undefined,
    seeds: seedsFor(1, seed),
  };
}

/** A copy of the workflow with another seed; everything else stays as it ran. */
export function withSeed(workflow: ApiWorkflow, seed: number, source = 'This workflow'): ApiWorkflow {
  const slots = detectSlots(workflow);
  if (!slots.seed) {
    throw new WorkflowError(
      `${source} has no seed StudioNOVA can find (on a KSampler, or a node titled "Seed"), so it cannot take a new one. Re-run it with the same seed, or title the node that holds the seed "Seed" in ComfyUI.`,
    );
  }
  return fillWorkflow(workflow, slots, { seed }, source);
}

/**
 * What to queue to make a version again: the sidecar exactly as it is for its own seed, so
 * nothing changed since (templates, defaults, the page file) creeps in; with another seed, only
 * the seed differs.
 */
export function rerunPlan(version: RecordedVersion, seed = version.entry.seed): { request: GenerationRequest; workflow: ApiWorkflow } {
  const workflow = seed === version.entry.seed ? version.workflow : withSeed(version.workflow, seed, version.sidecar);
  return { request: rerunRequest(version.entry, seed), workflow };
}

async function readManifest(root: string): Promise<string> {
  try {
    return await readFile(path.join(root, manifestFile), 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return '';
    throw error;
  }
}

/**
 * The last line for `image`, read from the end: a re-run is of a recent image as a rule, and
 * only lines naming its file are parsed, so a long manifest costs one read.
 */
function lastEntryFor(text: string, image: string): ManifestEntry | undefined {
  const name = image.slice(image.lastIndexOf('/') + 1);
  for (let end = text.length; end > 0; ) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    if (line.includes(name)) {
      const entry = parseManifest(line)[0];
      if (entry?.image === image) return entry;
    }
    end = start - 1;
  }
  return undefined;
}

function parseWorkflow(text: string, sidecar: string): ApiWorkflow {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WorkflowError(
      `${sidecar} is not valid JSON (${error instanceof Error ? error.message : String(error)}). Restore it from version control, or generate the panel again from its page file.`,
    );
  }
  return toApiWorkflow(json, sidecar);
}
