import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, sampleStudio } from '../../../support/tempStudio';

/** The sample page every new studio starts with. */
export const samplePagePath = 'chapters/ch-01/p001.page.md';

export function samplePage(): string {
  return readFileSync(path.join(sampleStudio, samplePagePath), 'utf8');
}

/** A prompt file from test/unit/core/prompts/fixtures. */
export function fixture(name: string): string {
  return readFileSync(path.join(repoRoot, 'test/unit/core/prompts/fixtures', name), 'utf8');
}
