import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setFrontMatterField } from '../text/editFrontMatter';
import { CancelledError, InvalidInputError } from '../util/errors';
import { copyFileAtomic, isInside, sameFileContent, writeFileAtomic } from '../util/files';
import type { RunRecord } from './model';
import { readRun, runPaths, writeRun } from './runFolder';

export interface UseCheckpointInput {
  readonly studioRoot: string;
  readonly runId: string;
  /** The checkpoint, relative to the run folder (`out/spyke-step00000600.safetensors`). */
  readonly file: string;
  /** ComfyUI's `models/loras` folder. */
  readonly lorasFolder: string;
  /** The character's LoRA name; the file becomes `<lorasFolder>/<loraName>.safetensors`. */
  readonly loraName: string;
  /** The character's character.md, whose `lora:` is set to `loraName`; none for a run without a character. */
  readonly characterFile?: string | undefined;
  /** Asked before another LoRA of that name is replaced; false keeps it and cancels. */
  confirmReplace(existing: string): Promise<boolean>;
}

/**
 * "Use this checkpoint": copies the chosen checkpoint into ComfyUI's loras folder under the
 * character's LoRA name, sets it as the character's LoRA, and records the choice in the run.
 * Another file of that name is only replaced after asking; the copy lands whole or not at all.
 */
export async function useCheckpoint(input: UseCheckpointInput): Promise<RunRecord> {
  const read = await readRun(input.studioRoot, input.runId);
  if (!read) throw new InvalidInputError(`There is no training run "${input.runId}" in this studio.`);
  if (!read.record) throw new InvalidInputError(`The run ${input.runId} cannot be read: ${read.problem}`);
  const record = read.record;
  const checkpoint = record.checkpoints.find((c) => c.file === input.file);
  const paths = runPaths(input.studioRoot, input.runId);
  const source = path.resolve(paths.root, input.file);
  if (!checkpoint || !isInside(paths.out, source)) throw new InvalidInputError(`${input.file} is not a checkpoint of ${input.runId}.`);
  if (!/^[A-Za-z0-9_.-]+$/.test(input.loraName)) throw new InvalidInputError(`"${input.loraName}" cannot be a LoRA file name: use letters, digits, "_", "-" and ".".`);
  const target = path.join(input.lorasFolder, `${input.loraName}.safetensors`);
  const existing = await stat(target).then((s) => s.size, () => undefined);
  if (existing === undefined || !(await sameFileContent(source, target))) {
    if (existing !== undefined && !(await input.confirmReplace(target))) throw new CancelledError();
    await copyFileAtomic(source, target);
  }
  if (input.characterFile) {
    const text = await readFile(input.characterFile, 'utf8');
    const updated = setFrontMatterField(text, path.basename(input.characterFile), 'lora', input.loraName);
    if (updated !== text) await writeFileAtomic(input.characterFile, updated);
  }
  const chosen: RunRecord = { ...record, chosen: { file: input.file, lora: input.loraName, at: new Date().toISOString() } };
  await writeRun(input.studioRoot, chosen);
  return chosen;
}
