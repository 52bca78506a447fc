import { readdir } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { addFlips, removeDerived } from '../../core/datasets/augment';
import { createDataset } from '../../core/datasets/createDataset';
import { importImages, type ImportReport } from '../../core/datasets/importImages';
import { readDatasetSettings } from '../../core/datasets/datasetSettings';
import { regularizationPlan, regularizationRange } from '../../core/datasets/regularizationPlan';
import { validateDataset } from '../../core/datasets/validateDataset';
import { hardwareProfile } from '../../core/settings/hardware';
import type { Dataset } from '../../core/model/studio';
import { datasetFile, datasetFolder, isImageFile } from '../../core/studio/layout';
import { AlreadyExistsError, CancelledError, InvalidInputError } from '../../core/util/errors';
import { createFileExclusive } from '../../core/util/files';
import type { DatasetReports } from '../datasets/datasetReports';
import type { StudioSession } from '../studioSession';
import { CharacterNode, DatasetNode } from '../tree/studioNodes';
import { ensureConsent } from './attachTrainingImages';
import { chooseCrops } from './chooseCrops';
import type { PromptServices } from './generateFromPrompt';
import { requireStudio } from './requireStudio';

/** Creates datasets/<id>/dataset.json for a character (from its tree item, or picked), then offers to import images. */
export async function newDataset(session: StudioSession, node?: unknown): Promise<void> {
  const root = await requireStudio(session);
  const index = await session.index();
  const characters = index.characters.list();
  const character =
    node instanceof CharacterNode
      ? node.character
      : (
          await pick(
            [...characters.map((c) => ({ label: c.name, description: c.trigger ?? '', character: c })), { label: 'No character', description: 'a style or regularization set', character: undefined }],
            'New Dataset',
            'For which character?',
          )
        ).character;
  const taken = new Set(index.datasets.list().map((d) => d.id));
  const suggested = character && !taken.has(character.id) ? character.id : '';
  const id = await vscode.window.showInputBox({
    title: 'New Dataset',
    prompt: 'Dataset id: the folder name under datasets/',
    value: suggested,
    validateInput: (value) => (taken.has(value) ? `datasets/${value} exists already.` : undefined),
  });
  if (id === undefined) throw new CancelledError();
  await createDataset(root.fsPath, { id, characterId: character?.id, trigger: character?.trigger, kind: 'character' });
  await session.refresh();
  const importNow = 'Import Images…';
  if ((await vscode.window.showInformationMessage(`Created datasets/${id}.`, importNow)) === importNow) await importDatasetImages(session, undefined, id);
}

/**
 * Imports pictures (files, or every picture of a folder) into a dataset: converted, cropped and
 * scaled to its resolution, duplicates skipped, originals kept in originals/. Pictures that are
 * not square are cropped to their middle, or where the user chooses. Progress with cancel.
 */
export async function importDatasetImages(session: StudioSession, node?: unknown, datasetId?: string): Promise<void> {
  const root = await requireStudio(session);
  const index = await session.index();
  const dataset = await datasetOf(session, node, datasetId, 'Import Images');
  const character = dataset.characterId ? index.characters.list().find((c) => c.id === dataset.characterId) : undefined;
  if (character) await ensureConsent(root.fsPath, character);
  const picked = await vscode.window.showOpenDialog({
    title: `Import images into datasets/${dataset.id}`,
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: true,
    openLabel: 'Import',
    filters: { Images: ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff', 'avif'] },
  });
  if (!picked || picked.length === 0) return;
  const files = await expandFolders(picked.map((uri) => uri.fsPath));
  if (files.length === 0) throw new InvalidInputError('No images there: pick PNG, JPEG or WebP files, or a folder that has some.');
  const sources = await chooseCrops(files, `Import into ${dataset.id}`);
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Importing into ${dataset.id}`, cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return importImages(path.join(root.fsPath, datasetFolder(dataset.id)), sources, {
        signal: abort.signal,
        onProgress: ({ done, total }) => progress.report({ increment: 100 / total, message: `${done}/${total}` }),
      });
    },
  );
  await session.refresh();
  void vscode.window.showInformationMessage(describeImport(report));
}

/** Checks a dataset before training: findings in Problems, the summary in the editor. */
export async function checkDataset(session: StudioSession, reports: DatasetReports, node?: unknown): Promise<void> {
  const root = await requireStudio(session);
  const dataset = await datasetOf(session, node, undefined, 'Check Dataset');
  const check = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking ${dataset.id}` }, () =>
    validateDataset(path.join(root.fsPath, datasetFolder(dataset.id)), { studioRoot: root.fsPath }),
  );
  await reports.show(root, dataset.id, check);
}

/** Adds a horizontal flip of every image, with its caption; they can be taken away again. */
export async function addDatasetFlips(session: StudioSession, node?: unknown): Promise<void> {
  const root = await requireStudio(session);
  const dataset = await datasetOf(session, node, undefined, 'Add Flipped Copies');
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Flipping the images of ${dataset.id}`, cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return addFlips(path.join(root.fsPath, datasetFolder(dataset.id)), {
        signal: abort.signal,
        onProgress: ({ done, total }) => progress.report({ increment: 100 / total, message: `${done}/${total}` }),
      });
    },
  );
  await session.refresh();
  const failed = report.failed.length > 0 ? ` ${report.failed.length} failed: ${report.failed[0]!.reason}` : '';
  void vscode.window.showInformationMessage(`Added ${report.made.length} flipped ${report.made.length === 1 ? 'copy' : 'copies'} to ${dataset.id}${report.cancelled ? ' (cancelled)' : ''}.${failed}`);
}

/** Removes the flips made by Add Flipped Copies; one a person changed since is kept, and named. */
export async function removeDatasetFlips(session: StudioSession, node?: unknown): Promise<void> {
  const root = await requireStudio(session);
  const dataset = await datasetOf(session, node, undefined, 'Remove Flipped Copies');
  const report = await removeDerived(path.join(root.fsPath, datasetFolder(dataset.id)));
  await session.refresh();
  const kept = report.kept.length > 0 ? ` Kept ${report.kept.length} changed since: ${report.kept.map((k) => path.basename(k.image)).join(', ')}.` : '';
  void vscode.window.showInformationMessage(`Removed ${report.removed.length} files from ${dataset.id}.${kept}`);
}

function describeImport(report: ImportReport): string {
  const parts = [`Imported ${report.imported.length} ${report.imported.length === 1 ? 'image' : 'images'}`];
  if (report.duplicates.length > 0) parts.push(`skipped ${report.duplicates.length} already there`);
  if (report.failed.length > 0) parts.push(`${report.failed.length} could not be read (${path.basename(report.failed[0]!.source)}: ${report.failed[0]!.reason})`);
  const enlarged = report.imported.filter((i) => i.enlarged).length;
  if (enlarged > 0) parts.push(`${enlarged} smaller than the training size were enlarged`);
  return `${parts.join('; ')}${report.cancelled ? ' — cancelled' : ''}. The originals are in originals/.`;
}

/** The pictures of each picked folder (not its subfolders), and each picked file. */
async function expandFolders(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const picked of paths) {
    const entries = await readdir(picked, { withFileTypes: true }).catch(() => undefined);
    if (!entries) files.push(picked);
    else files.push(...entries.filter((e) => e.isFile() && isImageFile(e.name)).map((e) => path.join(picked, e.name)).sort());
  }
  return files;
}

async function datasetOf(session: StudioSession, node: unknown, id: string | undefined, title: string): Promise<Dataset> {
  const datasets = (await session.index()).datasets.list();
  if (node instanceof DatasetNode) return node.dataset;
  const named = id === undefined ? undefined : datasets.find((d) => d.id === id);
  if (named) return named;
  if (datasets.length === 0) throw new InvalidInputError('There is no dataset yet: run "StudioNOVA: New Dataset" first.');
  return (await pick(datasets.map((d) => ({ label: d.id, description: `${d.imageCount} images · ${d.captionedCount} captioned`, dataset: d })), title, 'Which dataset?')).dataset;
}

async function pick<T extends vscode.QuickPickItem>(items: readonly T[], title: string, placeHolder: string): Promise<T> {
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder });
  if (!picked) throw new CancelledError();
  return picked;
}

/**
 * Generates a character dataset's regularization set: 100–200 images of its class from the base
 * model, without LoRA or trigger word, through the ComfyUI queue, into the sibling dataset
 * `<id>-reg` (made and marked as regularization), each image with its class as caption.
 */
export async function generateRegularizationSet(services: PromptServices, node?: unknown): Promise<void> {
  const root = await requireStudio(services.session);
  const index = await services.session.index();
  const dataset = await datasetOf(services.session, node, undefined, 'Generate Regularization Set');
  const character = index.characters.list().find((c) => c.id === dataset.characterId);
  if (!character) throw new InvalidInputError(`${dataset.id} belongs to no character: a regularization set is made from a character's class ("man", "girl"…).`);
  const studio = index.studioConfig;
  if (!studio) throw new InvalidInputError('studio.json cannot be read: fix it first.');
  const { min, max } = regularizationRange;
  const answer = await vscode.window.showInputBox({
    title: `Regularization set for ${dataset.id}`,
    prompt: `How many images of "${character.class ?? '?'}" (${min}–${max})?`,
    value: '150',
    validateInput: (value) => (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max ? undefined : `A number from ${min} to ${max}.`),
  });
  if (answer === undefined) throw new CancelledError();
  const folder = path.join(root.fsPath, datasetFolder(dataset.id));
  const { resolution } = await readDatasetSettings(folder, { file: datasetFile(dataset.id), studioRoot: root.fsPath });
  const { hardware } = services.settings();
  const plan = regularizationPlan(dataset, character, Number(answer), resolution, studio, hardwareProfile(hardware.profile, hardware.limits));
  if (!index.datasets.list().some((d) => d.id === plan.datasetId)) {
    await createDataset(root.fsPath, { id: plan.datasetId, characterId: undefined, trigger: undefined, kind: 'regularization', resolution });
  }
  const jobs = await services.controller.generate(plan.requests, `Regularization set ${plan.datasetId}: ${answer} images of "${plan.caption}"`);
  for (const output of jobs.flatMap((job) => job.outputs)) {
    const caption = path.join(root.fsPath, output.image.replace(/\.[^./]+$/, '.txt'));
    await createFileExclusive(caption, `${plan.caption}\n`).catch((error: unknown) => {
      if (!(error instanceof AlreadyExistsError)) throw error;
    });
  }
  await services.session.refresh();
}
