import type { Character } from '../../src/core/model/studio';
import { hardwareProfile, hardwarePresets } from '../../src/core/settings/hardware';

/** Spyke as the index holds him: the sample studio's character, for tests that need one. */
export const spyke: Character = {
  id: 'spyke',
  name: 'Spyke',
  trigger: 'spyke_plasma_v1',
  class: 'man',
  lora: 'spyke_plasma_v1',
  negative: 'extra fingers',
  description: undefined,
  path: 'characters/spyke/character.md',
  consentAt: undefined,
};

/** The user's own hardware: Apple M1, 16 GB. */
export const m1Profile = hardwareProfile('apple-m1-16gb', hardwarePresets['apple-m1-16gb'].limits);
