import path from 'node:path';
import * as vscode from 'vscode';
import { approve, unapprove } from '../../core/generation/approval';
import { readVersion, rerunPlan } from '../../core/generation/rerun';
import { checkHardware, seedsFor } from '../../core/generation/request';
import { hardwareProfile } from '../../core/settings/hardware';
import { versionPaths } from '../../core/generation/versionPaths';
import type { Asset } from '../../core/model/studio';
import { chapterId } from '../../core/studio/layout';
import { AppError, CancelledError, InvalidInputError } from '../../core/util/errors';
import type { Logger } from '../../core/util/logger';
import { showError } from '../errors';
import { trash } from '../trash';
import type { StudioSession } from '../studioSession';
import { approvedVersions, VersionNode } from '../tree/pageNodes';
import type { PromptServices } from './generateFromPrompt';
import { requireStudio } from './requireStudio';

/** Commands take a version as a tree node or as the asset itself (from the Versions picker). */
export async function openVersion(session: StudioSession, version: unknown): Promise<void> {
  const root = await requireStudio(session);
  await vscode.commands.executeCommand('vscode.open', vscode.Uri.joinPath(root, versionAsset(version).path));
}

/**
 * Approves a version: copies it into the chapter's approved folder, in place of the panel's
 * previously approved one. An approved copy that was changed since (retouched) is never
 * dropped silently: the user is asked, and it goes to the trash, not away.
 */
export async function approveVersion(session: StudioSession, logger: Logger, version: unknown): Promise<void> {
  const root = await requireStudio(session);
  const asset = versionAsset(version);
  const index = await session.index();
  const pageAssets = asset.chapterId && asset.page !== undefined ? index.assets.forPage(asset.chapterId, asset.page) : [];
  const previous = otherApproved(pageAssets, asset);
  let result = await approve(root.fsPath, asset.path, previous);
  if (result.kind === 'edited') {
    const edited = result.edited;
    const move = 'Move to Trash and Approve';
    const answer = await vscode.window.showWarningMessage(
      `The approved ${edited.filter((p) => !p.endsWith('.workflow.json')).map((p) => path.posix.basename(p)).join(', ')} was changed after it was approved.`,
      { modal: true, detail: `Approving ${path.posix.basename(asset.path)} instead moves it to the trash.` },
      move,
    );
    if (answer !== move) throw new CancelledError();
    for (const copy of edited) await trash(root, copy, logger);
    result = await approve(root.fsPath, asset.path, previous.filter((copy) => !edited.includes(copy)));
    if (result.kind === 'edited') throw new AppError('approval_conflict', 'The approved folder changed meanwhile; try again.');
  }
  await session.refresh();
  void vscode.window.showInformationMessage(result.kind === 'unchanged' ? `${path.posix.basename(asset.path)} is already the approved version.` : `Approved ${path.posix.basename(asset.path)}.`);
}

/** Withdraws a version's approval: its approved copy goes (to the trash, after asking, if it was retouched). */
export async function unapproveVersion(session: StudioSession, logger: Logger, version: unknown): Promise<void> {
  const root = await requireStudio(session);
  const approved = versionPaths(versionAsset(version).path).approved;
  const result = await unapprove(root.fsPath, approved);
  if (result.kind === 'edited') {
    const move = 'Move to Trash';
    const answer = await vscode.window.showWarningMessage(`The approved copy of ${path.posix.basename(approved)} was changed after it was approved.`, { modal: true }, move);
    if (answer !== move) throw new CancelledError();
    for (const copy of result.edited) await trash(root, copy, logger);
  }
  await session.refresh();
}

/**
 * Queues a version again from its workflow sidecar: exactly as it was (same seed, same
 * workflow), or with a new seed and nothing else changed.
 */
export async function rerunVersion(services: PromptServices, version: unknown, newSeed: boolean): Promise<void> {
  const root = await requireStudio(services.session);
  const recorded = await readVersion(root.fsPath, versionAsset(version).path);
  const seed = newSeed ? seedsFor(1)[0]! : recorded.entry.seed;
  const { request, workflow } = rerunPlan(recorded, seed);
  // The hardware profile may have changed since the image was made.
  const { hardware } = services.settings();
  const profile = hardwareProfile(hardware.profile, hardware.limits);
  checkHardware(request, profile.limits, profile.label);
  const name = path.posix.basename(recorded.image);
  await services.controller.run(newSeed ? `Re-running ${name} with seed ${seed}` : `Re-running ${name}`, (queue, signal) => queue.generateWorkflows(request, [workflow], signal));
}

/** The Versions lens: a panel's versions with their pictures, newest first; buttons approve and re-run. */
export async function showVersions(services: PromptServices, logger: Logger, uri: unknown, panelNumber: unknown): Promise<void> {
  const root = await requireStudio(services.session);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(String(uri)));
  const studioPath = services.files.studioPath(document);
  const panel = studioPath ? services.files.parse(document, studioPath).panels.find((p) => p.index === panelNumber) : undefined;
  const { chapter, page } = panel?.params ?? {};
  if (!panel || chapter === undefined || page === undefined) throw new InvalidInputError('This panel has no versions: it is not on a page of the studio.');
  const assets = (await services.session.index()).assets.forPanel(chapterId(chapter), page, panel.index);
  const versions = assets.filter((a) => a.stage === 'raw').sort((a, b) => (b.version ?? 0) - (a.version ?? 0));
  if (versions.length === 0) {
    void vscode.window.showInformationMessage(`${panel.title} has no versions yet: click Generate above it.`);
    return;
  }
  const approved = approvedVersions(assets);
  const buttons = {
    approve: { iconPath: new vscode.ThemeIcon('check'), tooltip: 'Approve' },
    rerun: { iconPath: new vscode.ThemeIcon('debug-rerun'), tooltip: 'Re-run with the same parameters' },
    newSeed: { iconPath: new vscode.ThemeIcon('refresh'), tooltip: 'Re-run with a new seed' },
  };
  const picker = vscode.window.createQuickPick<vscode.QuickPickItem & { asset: Asset }>();
  picker.title = `${panel.title}: ${versions.length} ${versions.length === 1 ? 'version' : 'versions'}`;
  picker.placeholder = 'Enter opens a version; the buttons approve it or generate it again';
  picker.items = versions.map((asset) => ({
    asset,
    label: `v${asset.version ?? '?'}`,
    description: [approved.has(asset.path) ? '★ approved' : undefined, asset.seed === undefined ? undefined : `seed ${asset.seed}`].filter(Boolean).join(' · '),
    detail: asset.path,
    iconPath: vscode.Uri.joinPath(root, asset.path),
    buttons: [buttons.approve, buttons.rerun, buttons.newSeed],
  }));
  const done = new Promise<void>((resolve) => {
    picker.onDidAccept(() => {
      const picked = picker.selectedItems[0];
      picker.hide();
      if (picked) void vscode.commands.executeCommand('vscode.open', vscode.Uri.joinPath(root, picked.asset.path));
    });
    picker.onDidTriggerItemButton(({ item, button }) => {
      picker.hide();
      const run =
        button === buttons.approve
          ? approveVersion(services.session, logger, item.asset)
          : rerunVersion(services, item.asset, button === buttons.newSeed);
      void run.catch((error: unknown) => showError(logger, error));
    });
    picker.onDidHide(() => {
      picker.dispose();
      resolve();
    });
  });
  picker.show();
  await done;
}

/** The approved copies of the same panel, other than this version's own. */
function otherApproved(pageAssets: readonly Asset[], version: Asset): string[] {
  const own = path.posix.basename(version.path);
  return pageAssets.filter((a) => a.stage === 'approved' && a.panel === version.panel && path.posix.basename(a.path) !== own).map((a) => a.path);
}

function versionAsset(version: unknown): Asset {
  if (version instanceof VersionNode) return version.asset;
  if (typeof version === 'object' && version !== null && 'path' in version && 'stage' in version) return version as Asset;
  throw new InvalidInputError("Run this from a version in the Studio view, or from a panel's Versions lens.");
}

