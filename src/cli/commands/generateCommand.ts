import { ComfyClient } from '../../core/comfy/comfyClient';
import { resolveRequest } from '../../core/generation/resolveRequest';
import { defaultSettings } from '../../core/settings/settings';
import { hardwareOption, openStudio, UsageError } from '../cliContext';
import { runGeneration } from '../runGeneration';
import { generatePage } from './generatePage';

export interface GenerateOptions {
  readonly studio?: string | undefined;
  readonly prompt?: string | undefined;
  readonly character?: string | undefined;
  readonly count?: string | undefined;
  readonly seed?: string | undefined;
  readonly size?: string | undefined;
  readonly steps?: string | undefined;
  readonly cfg?: string | undefined;
  readonly sampler?: string | undefined;
  readonly scheduler?: string | undefined;
  readonly checkpoint?: string | undefined;
  readonly negative?: string | undefined;
  readonly template?: string | undefined;
  readonly url?: string | undefined;
  readonly profile?: string | undefined;
  readonly chapter?: string | undefined;
  readonly page?: string | undefined;
  readonly panel?: string | undefined;
}

/**
 * `studionova generate --studio <dir> --prompt "…" [--character id] [--count n] [--url …]`, or a
 * page file's panels with `--chapter n --page n [--panel n]`: the same checks, queue and saving
 * as the editor. Progress goes to stderr; one JSON line per saved image to stdout. Exit 1 if any
 * image failed; Ctrl+C cancels what is queued and running.
 */
export async function generateCommand(options: GenerateOptions): Promise<number> {
  const forPage = options.chapter !== undefined || options.page !== undefined || options.panel !== undefined;
  if (forPage && options.prompt !== undefined) throw new UsageError('Give --prompt "…", or a page with --chapter and --page, not both.');
  if (forPage) return generatePage(options);
  if (!options.prompt) throw new UsageError('studionova generate needs --prompt "…", or a page: --chapter n --page n.');
  const hardware = hardwareOption(options.profile);
  const index = await openStudio(options.studio, true);
  try {
    const studio = index.studioConfig;
    if (!studio) throw new UsageError('studio.json has errors: run studionova check first.');
    const character = options.character ? index.characters.get(options.character) : undefined;
    if (options.character && !character) {
      throw new UsageError(`No character "${options.character}"; the studio has: ${index.characters.list().map((c) => c.id).join(', ') || 'none'}.`);
    }
    const [width, height] = options.size ? parseSize(options.size) : [undefined, undefined];
    const request = resolveRequest(
      {
        prompt: options.prompt,
        negative: options.negative,
        width,
        height,
        steps: optionalNumber(options.steps, '--steps'),
        cfg: optionalNumber(options.cfg, '--cfg'),
        sampler: options.sampler,
        scheduler: options.scheduler,
        checkpoint: options.checkpoint,
        template: options.template,
        seed: optionalNumber(options.seed, '--seed'),
        count: optionalNumber(options.count, '--count'),
      },
      studio,
      character,
      hardware,
    );
    const client = new ComfyClient(options.url ?? defaultSettings.comfyui.url);
    await client.systemStats();
    return await runGeneration(index, client, [request]);
  } finally {
    await index.close();
  }
}

function parseSize(size: string): [number, number] {
  const match = /^(\d+)x(\d+)$/i.exec(size);
  if (!match) throw new UsageError(`--size is WIDTHxHEIGHT, e.g. 512x768 (got "${size}").`);
  return [Number(match[1]), Number(match[2])];
}

function optionalNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new UsageError(`${flag} takes a number (got "${value}").`);
  return number;
}
