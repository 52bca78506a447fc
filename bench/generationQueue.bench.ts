// Queue overhead and submit latency against the ComfyUI test double.
//
//   BENCH queue_overhead_ratio   100 jobs at a fixed 50 ms each through GenerationQueue: wall time
//                                over the sum of the jobs' own run times (as ComfyUI's history
//                                times them). Goal ≤ 1.05.
//   BENCH naive_overhead_ratio   the same jobs through a plain submit, wait, download loop.
//   BENCH submit_latency_ms      from a request to ComfyUI accepting the prompt (median).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ComfyClient } from '../src/core/comfy/comfyClient';
import { ComfySocket } from '../src/core/comfy/comfySocket';
import { fillWorkflow } from '../src/core/comfy/workflow/fill';
import { GenerationQueue } from '../src/core/generation/generationQueue';
import { saveOutput } from '../src/core/generation/outputWriter';
import type { GenerationRequest } from '../src/core/generation/request';
import { loadTemplate } from '../src/core/generation/templates';
import { silentLogger } from '../src/core/util/logger';
import { startFakeComfy } from '../test/support/fakeComfy';
import { repoRoot, tempFolder } from '../test/support/tempStudio';
import { median, report } from './support/measure';

const jobCount = 100;
/** 10 sampler steps of 5 ms: 50 ms of "GPU" per job. */
const steps = 10;
const stepMs = 5;

const request = (seeds: number[]): GenerationRequest => ({
  template: 'txt2img',
  characterId: undefined,
  prompt: 'a neon alley at night',
  negative: 'lowres',
  width: 512,
  height: 512,
  steps,
  cfg: 7,
  sampler: 'euler',
  scheduler: 'normal',
  checkpoint: 'sd15.safetensors',
  lora: undefined,
  target: { kind: 'free', subject: 'bench' },
  seeds,
});

async function main(): Promise<void> {
  const comfy = await startFakeComfy({ args: ['--fake-step-ms', String(stepMs)], models: { checkpoints: ['sd15.safetensors'] } });
  const studio = await tempFolder('studionova-bench-queue-');
  const client = new ComfyClient(comfy.url);
  const templates = { builtinFolder: path.join(repoRoot, 'workflows'), studioRoot: studio.dir };
  try {
    // Our queue.
    const queue = new GenerationQueue({ client, studioRoot: studio.dir, templates, logger: silentLogger });
    await queue.waitFor(await queue.generate(request([0]))); // warm: object_info cached, socket open
    const seeds = Array.from({ length: jobCount }, (_, i) => 1000 + i);
    let started = performance.now();
    const jobs = await queue.waitFor(await queue.generate(request(seeds)));
    const ours = performance.now() - started;
    const failed = jobs.filter((j) => j.status !== 'completed');
    if (failed.length > 0) throw new Error(`${failed.length} jobs failed: ${failed[0]!.error?.message}`);
    const oursRun = await serverRunTime(client, jobs.map((j) => j.promptId!));

    // A plain loop: submit one, wait for it, download it, save it, then the next.
    const template = await loadTemplate('txt2img', templates);
    const clientId = `bench-${randomUUID()}`;
    const socket = await ComfySocket.open(client.socketUrl(clientId));
    const promptIds: string[] = [];
    started = performance.now();
    for (const seed of seeds.map((s) => s + jobCount)) {
      const workflow = fillWorkflow(template.workflow, template.slots, { seed, steps, positive: 'a neon alley at night', checkpoint: 'sd15.safetensors', width: 512, height: 512 }, 'txt2img');
      const promptId = randomUUID();
      const finished = new Promise<void>((resolve) => {
        const subscription = socket.onEvent((event) => {
          if (event.kind === 'finished' && event.promptId === promptId) {
            subscription.dispose();
            resolve();
          }
        });
      });
      await client.submit({ workflow, clientId, promptId });
      await finished;
      const entry = await client.history(promptId);
      for (const image of Object.values(entry!.outputs).flatMap((o) => o.images ?? [])) {
        await saveOutput(studio.dir, { kind: 'free', subject: 'naive' }, await client.view(image), JSON.stringify(workflow));
      }
      promptIds.push(promptId);
    }
    const naive = performance.now() - started;
    socket.dispose();
    const naiveRun = await serverRunTime(client, promptIds);

    report('queue_overhead_ratio', [ours / oursRun], 'ratio', 1.05);
    console.log(`  ${jobCount} jobs: ${ours.toFixed(0)} ms wall, ${oursRun.toFixed(0)} ms of ComfyUI run time`);
    console.log(`BENCH naive_overhead_ratio ${(naive / naiveRun).toFixed(3)} ratio`);
    console.log(`  ${jobCount} jobs: ${naive.toFixed(0)} ms wall, ${naiveRun.toFixed(0)} ms of ComfyUI run time (baseline, same run)`);

    // Submit latency: a single-image request until ComfyUI accepted its prompt.
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const begun = performance.now();
      const [job] = await queue.generate(request([5000 + i]));
      await new Promise<void>((resolve) => {
        const check = (): boolean => job!.status !== 'queued';
        if (check()) return resolve();
        const subscription = queue.onDidChangeJob(() => {
          if (check()) {
            subscription.dispose();
            resolve();
          }
        });
      });
      latencies.push(performance.now() - begun);
      await queue.waitFor([job!]);
    }
    report('submit_latency_ms', latencies, 'ms', 100);
    console.log(`  median of ${latencies.length}: ${median(latencies).toFixed(1)} ms (template read, slots filled, POST /prompt answered)`);
    queue.dispose();
  } finally {
    await comfy.stop();
    await studio.cleanup();
  }
}

/** The sum of each prompt's run time from ComfyUI's own history: execution_start to execution_success. */
async function serverRunTime(client: ComfyClient, promptIds: readonly string[]): Promise<number> {
  let total = 0;
  for (const id of promptIds) {
    const entry = await client.history(id);
    const at = (type: string): number => Number((entry?.status.messages.find(([t]) => t === type)?.[1] as { timestamp?: number } | undefined)?.timestamp);
    const ms = at('execution_success') - at('execution_start');
    if (!Number.isFinite(ms)) throw new Error(`no run time in the history of ${id}`);
    total += ms;
  }
  return total;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
