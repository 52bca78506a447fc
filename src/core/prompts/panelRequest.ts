import type { GenerationRequest } from '../generation/request';
import { resolveRequest } from '../generation/resolveRequest';
import type { Character, StudioConfig } from '../model/studio';
import type { HardwareLimits } from '../settings/hardware';
import { InvalidInputError } from '../util/errors';
import type { PanelBlock } from './parsedPromptFile';
import { toGenerateInput } from './toGenerateInput';

export interface PanelRequestOptions {
  /** How many images; the panel's `count:` otherwise. */
  readonly count?: number | undefined;
  /** New random seeds, whatever the panel's `seed:` says (Generate ×4, "new seed"). */
  readonly freshSeeds?: boolean | undefined;
}

/**
 * The request a panel's Generate queues: the panel through toGenerateInput and resolveRequest,
 * with its character looked up in the studio. A panel that cannot be generated says why and
 * what to do, before anything is queued.
 */
export function panelRequest(
  panel: PanelBlock,
  studio: StudioConfig,
  findCharacter: (id: string) => Character | undefined,
  hardware: { readonly limits: HardwareLimits; readonly label: string },
  options: PanelRequestOptions = {},
): GenerationRequest {
  if (!panel.prompt) throw new InvalidInputError(`${panel.title} has no prompt text: write what to draw under its heading.`);
  const characterId = panel.params.character;
  const character = characterId === undefined ? undefined : findCharacter(characterId);
  if (characterId !== undefined && !character) {
    throw new InvalidInputError(`${panel.title}: there is no character "${characterId}" in this studio (see the Problems panel).`);
  }
  const input = toGenerateInput(panel);
  return resolveRequest(
    { ...input, count: options.count ?? input.count, seed: options.freshSeeds ? undefined : input.seed },
    studio,
    character,
    hardware,
  );
}
