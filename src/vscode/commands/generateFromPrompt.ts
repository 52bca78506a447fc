import * as vscode from 'vscode';
import { panelJobState } from '../../core/generation/panelJobState';
import type { GenerationRequest } from '../../core/generation/request';
import type { ParsedPromptFile, PanelBlock } from '../../core/prompts/parsedPromptFile';
import { panelRequest } from '../../core/prompts/panelRequest';
import { problemsConcerning } from '../../core/prompts/problemsConcerning';
import type { PromptDiagnostic } from '../../core/prompts/promptDiagnostic';
import { hardwareProfile } from '../../core/settings/hardware';
import type { Settings } from '../../core/settings/settings';
import { AppError, InvalidInputError } from '../../core/util/errors';
import type { GenerationController } from '../generation/generationController';
import type { PromptFiles } from '../prompts/promptFiles';
import type { StudioSession } from '../studioSession';
import { PageNode } from '../tree/studioNodes';

export interface PromptServices {
  readonly session: StudioSession;
  readonly controller: GenerationController;
  readonly files: PromptFiles;
  readonly settings: () => Settings;
}

/**
 * Generate (count 1: the panel as written) or Generate ×N (N images, each with a new seed) for
 * one panel of a page, from the lens above it.
 */
export async function generatePanel(services: PromptServices, uri: unknown, panelNumber: unknown, count: unknown): Promise<void> {
  const page = await openPage(services, uri);
  const panel = page.parsed.panels.find((p) => p.index === panelNumber);
  if (!panel) throw new InvalidInputError(`This page has no panel ${String(panelNumber)} any more: the lens was older than the text.`);
  refuseErrors(page, new Set([panel.index]));
  const many = typeof count === 'number' && count > 1 ? count : undefined;
  const request = await requestFor(services, page.studioPath, panel, many);
  const images = request.seeds.length;
  await services.controller.generate([request], `Generating ${panel.title}${images > 1 ? ` (${images} images)` : ''}`);
}

/** Every panel of a page, in order, in one progress notification. */
export async function generatePage(services: PromptServices, target: unknown): Promise<void> {
  const page = await openPage(services, target instanceof PageNode ? target.file.toString() : target);
  // A panel without prompt text is a warning in the Problems panel: the page's other panels still run.
  const panels = page.parsed.panels.filter((panel) => panel.prompt !== '');
  if (panels.length === 0) throw new InvalidInputError('This page has no panel with a prompt yet: write one under a "## Panel 1" line.');
  refuseErrors(page);
  const requests: GenerationRequest[] = [];
  for (const panel of panels) requests.push(await requestFor(services, page.studioPath, panel, undefined));
  const images = requests.reduce((sum, request) => sum + request.seeds.length, 0);
  const name = page.studioPath.slice(page.studioPath.lastIndexOf('/') + 1);
  await services.controller.generate(requests, `Generating ${name}: ${requests.length} panels, ${images} images`);
}

/** Cancels what the panel's latest request still has queued or running. */
export async function cancelPanelJobs(services: PromptServices, uri: unknown, panelNumber: unknown): Promise<void> {
  const page = await openPage(services, uri, false);
  const panel = page.parsed.panels.find((p) => p.index === panelNumber);
  const { chapter, page: pageNumber } = panel?.params ?? {};
  if (!panel || chapter === undefined || pageNumber === undefined) return;
  const state = panelJobState(services.controller.jobs, chapter, pageNumber, panel.index);
  await Promise.all((state?.jobs ?? []).map((job) => services.controller.cancel(job.id)));
}

interface OpenPage {
  readonly document: vscode.TextDocument;
  readonly studioPath: string;
  readonly parsed: ParsedPromptFile;
  readonly diagnostics: readonly PromptDiagnostic[];
}

/**
 * The page as the editor has it. It is saved first: what is generated is what the file says,
 * so the manifest's prompt file reproduces it.
 */
async function openPage(services: PromptServices, uri: unknown, save = true): Promise<OpenPage> {
  const document = await vscode.workspace.openTextDocument(typeof uri === 'string' ? vscode.Uri.parse(uri) : requireActivePage());
  const studioPath = services.files.studioPath(document);
  if (!studioPath) throw new InvalidInputError('Generate works on page files of the open studio: chapters/ch-XX/pNNN.page.md.');
  if (save && document.isDirty) await document.save();
  const parsed = services.files.parse(document, studioPath);
  const diagnostics = (await services.files.diagnose(document)) ?? [];
  return { document, studioPath, parsed, diagnostics };
}

function requireActivePage(): vscode.Uri {
  const uri = vscode.window.activeTextEditor?.document.uri;
  if (!uri) throw new InvalidInputError('Open a page file (chapters/ch-XX/pNNN.page.md) first.');
  return uri;
}

/**
 * A panel with an error — its own or in the page's front matter — is not generated: the
 * Problems panel already says what is wrong and how to fix it.
 */
function refuseErrors(page: OpenPage, panels?: ReadonlySet<number>): void {
  const errors = problemsConcerning(page.diagnostics, page.parsed, panels).filter((d) => d.severity === 'error');
  if (errors.length === 0) return;
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more in the Problems panel)` : '';
  throw new AppError('prompt_has_errors', `Fix line ${first.range.startLine + 1} first: ${first.message}${more}`);
}

async function requestFor(services: PromptServices, studioPath: string, panel: PanelBlock, count: number | undefined): Promise<GenerationRequest> {
  const index = await services.session.index();
  const studio = index.studioConfig;
  if (!studio) throw new AppError('studio_invalid', 'studio.json has problems (see the Problems panel); fix them to generate.');
  const { hardware } = services.settings();
  const request = panelRequest(panel, studio, (id) => index.characters.get(id), hardwareProfile(hardware.profile, hardware.limits), {
    count,
    freshSeeds: count !== undefined,
  });
  return { ...request, promptFile: studioPath };
}
