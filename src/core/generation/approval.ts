import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { sidecarOf } from '../studio/layout';
import { AlreadyExistsError, InvalidInputError } from '../util/errors';
import { pathExists, placeExclusive, sameFileContent } from '../util/files';
import { versionPaths } from './versionPaths';

/**
 * `edited` lists approved copies that are no longer plain copies, each with its sidecar: nothing
 * was changed, and once the person has moved those away, approving again goes through.
 */
export type ApproveResult =
  | { readonly kind: 'approved' | 'unchanged'; readonly approved: string; readonly removed: readonly string[] }
  | { readonly kind: 'edited'; readonly edited: readonly string[] };

export type UnapproveResult = { readonly kind: 'removed'; readonly removed: readonly string[] } | { readonly kind: 'edited'; readonly edited: readonly string[] };

/**
 * Approves one version of a panel: its image, and the workflow beside it, are copied from raw/
 * to approved/. `current` are the approved copies the panel has now; as a panel has one
 * approved version, they are removed — but only while they still equal their raw files, so
 * removing them loses nothing. A copy retouched since, or whose raw file is gone, is the
 * person's work: then nothing changes at all and the result lists it, for them to decide.
 */
export async function approve(root: string, imagePath: string, current: readonly string[]): Promise<ApproveResult> {
  const version = versionPaths(imagePath);
  const others = current.filter((copy) => copy !== version.approved);
  for (const copy of others) {
    const other = versionPaths(copy);
    if (other.stage !== 'approved' || other.chapter !== version.chapter || other.page !== version.page) {
      throw new InvalidInputError(`${copy} is not an approved copy from the page of ${version.raw}.`);
    }
  }
  if (!(await pathExists(path.join(root, version.raw)))) {
    throw new InvalidInputError(`${version.raw} is gone: only an image still in its raw folder can be approved.`);
  }
  const edited = (await Promise.all([version.approved, ...others].map((copy) => editedFiles(root, copy)))).flat();
  if (edited.length > 0) return { kind: 'edited', edited };

  // The new copy first: if anything fails, the panel still has an approved version.
  const rawSidecar = sidecarOf(version.raw);
  const sidecarPlaced = (await pathExists(path.join(root, rawSidecar))) && (await copyExclusive(root, rawSidecar, sidecarOf(version.approved)));
  const imagePlaced = await copyExclusive(root, version.raw, version.approved);
  const removed: string[] = [];
  for (const copy of others) removed.push(...(await removeCopy(root, copy)));
  return { kind: imagePlaced || sidecarPlaced ? 'approved' : 'unchanged', approved: version.approved, removed };
}

/** Removes an approved copy, which is only a copy while it equals its raw file; an edited one is left to the person. */
export async function unapprove(root: string, approvedPath: string): Promise<UnapproveResult> {
  const version = versionPaths(approvedPath);
  if (version.stage !== 'approved') throw new InvalidInputError(`${approvedPath} is not an approved copy: those are in output/ch-XX/approved/.`);
  const edited = await editedFiles(root, version.approved);
  if (edited.length > 0) return { kind: 'edited', edited };
  return { kind: 'removed', removed: await removeCopy(root, version.approved) };
}

/** The files of an approved copy, when its image or sidecar is not the same as in raw/; none when both are. */
async function editedFiles(root: string, approved: string): Promise<string[]> {
  const { raw } = versionPaths(approved);
  const present: string[] = [];
  let same = true;
  for (const [copy, original] of [
    [approved, raw],
    [sidecarOf(approved), sidecarOf(raw)],
  ] as const) {
    if (!(await pathExists(path.join(root, copy)))) continue;
    present.push(copy);
    same &&= await sameFileContent(path.join(root, original), path.join(root, copy));
  }
  return same ? [] : present;
}

/** The image goes first: as when saving, an image is never left without its sidecar. */
async function removeCopy(root: string, approved: string): Promise<string[]> {
  const removed: string[] = [];
  for (const file of [approved, sidecarOf(approved)]) {
    if (!(await pathExists(path.join(root, file)))) continue;
    await rm(path.join(root, file));
    removed.push(file);
  }
  return removed;
}

/**
 * Copies `source` to `target` without ever replacing a file there. The copy is a file of its
 * own, never a hard link to the raw image: retouching the approved copy must leave the raw one
 * as generated. False when an identical file is already there.
 */
async function copyExclusive(root: string, source: string, target: string): Promise<boolean> {
  const [from, to] = [path.join(root, source), path.join(root, target)];
  if (!(await pathExists(to))) {
    await mkdir(path.dirname(to), { recursive: true });
    const temp = path.join(path.dirname(to), `.${path.basename(to)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    try {
      await copyFile(from, temp);
      if (await placeExclusive(temp, to)) return true;
    } finally {
      await rm(temp, { force: true });
    }
  }
  // Placed meanwhile by another window approving the same version: fine if it is the same.
  if (await sameFileContent(from, to)) return false;
  throw new AlreadyExistsError('A different file', target);
}
