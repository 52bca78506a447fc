import * as vscode from 'vscode';
import type { Character } from '../../core/model/studio';
import { resolveRequest } from '../../core/generation/resolveRequest';
import { hardwareProfile } from '../../core/settings/hardware';
import type { Settings } from '../../core/settings/settings';
import { AppError, CancelledError } from '../../core/util/errors';
import type { GenerationController } from '../generation/generationController';
import type { StudioSession } from '../studioSession';
import { CharacterNode } from '../tree/studioNodes';
import { requireStudio } from './requireStudio';

const title = (step: number): string => `Generate Image (${step}/6)`;

/**
 * Asks for character, prompt (starting with the trigger word), negative prompt, size, seed and
 * count; checks the size against the hardware profile before anything is queued; then queues
 * one job per image and follows them in a progress notification.
 */
export async function generateImage(
  services: { session: StudioSession; controller: GenerationController; settings: () => Settings },
  node?: unknown,
): Promise<void> {
  await requireStudio(services.session);
  const index = await services.session.index();
  const studio = index.studioConfig;
  if (!studio) throw new AppError('studio_invalid', 'studio.json has problems (see the Problems panel); fix them to generate.');
  const { hardware } = services.settings();
  const profile = hardwareProfile(hardware.profile, hardware.limits);

  const chosen = node instanceof CharacterNode ? node.character : await pickCharacter(index.characters.list());
  const trigger = chosen?.trigger;
  const prompt = await ask(title(2), 'Prompt', trigger ? `${trigger}, ` : '', (v) => (v.trim() ? undefined : 'A prompt is needed.'));
  const negative = await ask(title(3), 'Negative prompt', [studio.defaults.negative, chosen?.negative].filter(Boolean).join(', '));
  const size = await pickSize(studio.defaults.width, studio.defaults.height, profile.limits.maxWidth, profile.limits.maxHeight);
  const seedText = await ask(title(5), 'Seed (empty: random)', '', (v) => (v === '' || /^\d+$/.test(v) ? undefined : 'A seed is a whole number.'));
  const countText = await ask(title(6), 'How many images (each gets its own seed)', '1', (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 64 ? undefined : 'From 1 to 64.'));

  const request = resolveRequest(
    { prompt, negative, width: size[0], height: size[1], seed: seedText ? Number(seedText) : undefined, count: Number(countText) },
    studio,
    chosen,
    profile,
  );
  const count = request.seeds.length;
  await services.controller.generate([request], `Generating ${count} ${count === 1 ? 'image' : 'images'}${chosen ? ` of ${chosen.name}` : ''}`);
}

async function pickCharacter(characters: readonly Character[]): Promise<Character | undefined> {
  const items = [
    { label: '$(circle-slash) No character', character: undefined },
    ...characters.map((c) => ({ label: c.name, description: c.trigger ?? '', character: c })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: title(1), placeHolder: 'Which character?', ignoreFocusOut: true });
  if (!picked) throw new CancelledError();
  return picked.character;
}

async function ask(title: string, prompt: string, value: string, validate?: (value: string) => string | undefined): Promise<string> {
  const answer = await vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, ...(validate ? { validateInput: validate } : {}) });
  if (answer === undefined) throw new CancelledError();
  return answer;
}

/** The studio's default size first, then common ones; any size can be typed (checked after). */
async function pickSize(width: number, height: number, maxWidth: number, maxHeight: number): Promise<[number, number]> {
  const sizes = [
    [width, height],
    [512, 768],
    [768, 512],
    [512, 512],
    [maxWidth, maxHeight],
  ].filter(([w, h], i, all) => all.findIndex(([x, y]) => x === w && y === h) === i);
  const items = [
    ...sizes.map(([w, h]) => ({ label: `${w}×${h}`, id: `${w}x${h}` })),
    { label: 'Other size…', id: 'other' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: title(4), placeHolder: `Size (this hardware allows up to ${maxWidth}×${maxHeight})`, ignoreFocusOut: true });
  if (!picked) throw new CancelledError();
  const text = picked.id === 'other' ? await ask(title(4), 'Size as WIDTHxHEIGHT', `${width}x${height}`, (v) => (/^\d+x\d+$/i.test(v) ? undefined : 'For example 512x768.')) : picked.id;
  const [w, h] = text.toLowerCase().split('x').map(Number);
  return [w!, h!];
}
