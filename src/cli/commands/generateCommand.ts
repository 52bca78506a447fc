import { ComfyClient } from '../../core/comfy/comfyClient';
import { finishedStatuses, type GenerationJob } from '../../core/generation/generationJob';
import { GenerationQueue } from '../../core/generation/generationQueue';
import { resolveRequest } from '../../core/generation/resolveRequest';
import { hardwareProfile, hardwarePresets, type HardwarePresetId } from '../../core/settings/hardware';
import { defaultSettings } from '../../core/settings/settings';
import { builtinWorkflows, openStudio, printJson, stderrLogger, UsageError } from '../cliContext';

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
}

/**
 * `studionova generate --studio <dir> --prompt "…" [--character id] [--count n] [--url …]`: the
 * same checks, queue and saving as the editor. Progress goes to stderr; one JSON line per saved
 * image to stdout. Exit 1 if any image failed; Ctrl+C cancels what is queued and running.
 */
export async function generateCommand(options: GenerateOptions): Promise<number> {
  if (!options.prompt) throw new UsageError('studionova generate needs --prompt "…".');
  const profileId = (options.profile ?? defaultSettings.hardware.profile) as HardwarePresetId;
  const preset = hardwarePresets[profileId];
  if (!preset) throw new UsageError(`Unknown --profile ${options.profile}; one of ${Object.keys(hardwarePresets).join(', ')}.`);
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
      hardwareProfile(profileId, preset.limits),
    );
    const client = new ComfyClient(options.url ?? defaultSettings.comfyui.url);
    await client.systemStats();
    const queue = new GenerationQueue({ client, studioRoot: index.root, templates: { builtinFolder: builtinWorkflows, studioRoot: index.root }, logger: stderrLogger });
    try {
      const jobs = await queue.generate(request);
      const cancelAll = (): void => void Promise.all(jobs.map((job) => queue.cancel(job.id)));
      process.once('SIGINT', cancelAll);
      queue.onDidChangeJob((job) => reportProgress(job, jobs));
      queue.onDidSaveOutput(({ job, output }) => printJson({ image: output.image, workflow: output.sidecar, seed: job.seed, version: output.version }));
      const done = await queue.waitFor(jobs);
      process.off('SIGINT', cancelAll);
      await index.refresh();
      for (const job of done.filter((j) => j.status !== 'completed')) process.stderr.write(`seed ${job.seed}: ${job.status}${job.error ? `: ${job.error.message}` : ''}\n`);
      return done.every((job) => job.status === 'completed') ? 0 : 1;
    } finally {
      queue.dispose();
    }
  } finally {
    await index.close();
  }
}


/** The last line printed per job, so progress is printed when it changes, not on every frame. */
const lastReported = new Map<string, string>();

function reportProgress(job: GenerationJob, jobs: readonly GenerationJob[]): void {
  const step = job.progress ? `${job.progress.value}/${job.progress.max}` : '';
  const line = `[${jobs.indexOf(job) + 1}/${jobs.length}] seed ${job.seed}: ${job.status}${step && !finishedStatuses.has(job.status) ? ` ${step}` : ''}`;
  if (lastReported.get(job.id) === line) return;
  lastReported.set(job.id, line);
  process.stderr.write(`${line}\n`);
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
