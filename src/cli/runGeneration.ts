import type { ComfyClient } from '../core/comfy/comfyClient';
import { finishedStatuses, type GenerationJob } from '../core/generation/generationJob';
import { GenerationQueue } from '../core/generation/generationQueue';
import type { GenerationRequest } from '../core/generation/request';
import type { StudioIndex } from '../core/studio/studioIndex';
import { builtinWorkflows, printJson, stderrLogger } from './cliContext';

/**
 * Queues every request on one queue, so they pipeline as in the editor, and follows them to the
 * end: progress on stderr, one JSON line per saved image on stdout. Ctrl+C cancels everything,
 * including what is not queued yet. 0 when every image was made, 1 otherwise.
 */
export async function runGeneration(index: StudioIndex, client: ComfyClient, requests: readonly GenerationRequest[]): Promise<number> {
  const queue = new GenerationQueue({ client, studioRoot: index.root, templates: { builtinFolder: builtinWorkflows, studioRoot: index.root }, logger: stderrLogger });
  const jobs: GenerationJob[] = [];
  let interrupted = false;
  const cancelAll = (): void => {
    interrupted = true;
    void Promise.all(jobs.map((job) => queue.cancel(job.id)));
  };
  process.once('SIGINT', cancelAll);
  try {
    const lastReported = new Map<string, string>();
    queue.onDidChangeJob((job) => {
      const line = progressLine(job);
      if (lastReported.get(job.id) === line) return;
      lastReported.set(job.id, line);
      process.stderr.write(`${line}\n`);
    });
    queue.onDidSaveOutput(({ job, output }) =>
      printJson({ image: output.image, workflow: output.sidecar, seed: job.seed, version: output.version, panel: panelOf(job.request) }),
    );
    try {
      for (const request of requests) {
        jobs.push(...(await queue.generate(request)));
        // Ctrl+C while this request was being checked: its jobs go too, and nothing more is queued.
        if (interrupted) {
          cancelAll();
          break;
        }
      }
    } catch (error) {
      // A later request refused by ComfyUI: the earlier ones must not run on unattended.
      cancelAll();
      await queue.waitFor(jobs);
      throw error;
    }
    const done = await queue.waitFor(jobs);
    await index.refresh();
    for (const job of done.filter((j) => j.status !== 'completed')) process.stderr.write(`${label(job)} seed ${job.seed}: ${job.status}${job.error ? `: ${job.error.message}` : ''}\n`);
    return !interrupted && done.every((job) => job.status === 'completed') ? 0 : 1;
  } finally {
    process.off('SIGINT', cancelAll);
    queue.dispose();
  }
}

function progressLine(job: GenerationJob): string {
  const step = job.progress ? `${job.progress.value}/${job.progress.max}` : '';
  return `${label(job)} seed ${job.seed}: ${job.status}${step && !finishedStatuses.has(job.status) ? ` ${step}` : ''}`;
}

/**
 * `[2/4]` for a prompt's images, `[panel 2, 1/1]` for a page's, counted within the request by
 * seed: a job is announced before queue.generate has returned it.
 */
function label(job: GenerationJob): string {
  const position = `${job.request.seeds.indexOf(job.seed) + 1}/${job.request.seeds.length}`;
  const panel = panelOf(job.request);
  return panel === undefined ? `[${position}]` : `[panel ${panel}, ${position}]`;
}

function panelOf(request: GenerationRequest): number | undefined {
  return request.target.kind === 'page' ? request.target.panel : undefined;
}
