// The generation queue against the ComfyUI test double over real HTTP and WebSocket: saved
// images, sidecars and manifest lines, checks before queueing, faults, cancel and recovery.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ComfyClient } from '../../src/core/comfy/comfyClient';
import { MissingInComfyError } from '../../src/core/comfy/errors';
import type { GenerationJob, JobRecord, JobStore } from '../../src/core/generation/generationJob';
import { GenerationQueue } from '../../src/core/generation/generationQueue';
import { manifestFile, type ManifestEntry } from '../../src/core/generation/manifest';
import type { GenerationRequest } from '../../src/core/generation/request';
import { type FakeComfy, startFakeComfy } from '../support/fakeComfy';
import { sampleRequest } from '../support/sampleRequest';
import { recordingLogger, repoRoot, tempFolder } from '../support/tempStudio';

const models = { checkpoints: ['sd15.safetensors'], loras: ['spyke_plasma_v1.safetensors'] };

const request = sampleRequest;

function memoryStore(): JobStore & { records: Map<string, JobRecord> } {
  const records = new Map<string, JobRecord>();
  return {
    records,
    save: (record) => void records.set(record.id, record),
    unfinished: () => [...records.values()].filter((r) => !['completed', 'failed', 'cancelled'].includes(r.status)),
  };
}

async function studioFolder(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  return tempFolder('studionova-generation-');
}

function newQueue(comfy: FakeComfy, root: string, store?: JobStore): GenerationQueue {
  return new GenerationQueue({
    client: new ComfyClient(comfy.url),
    studioRoot: root,
    templates: { builtinFolder: path.join(repoRoot, 'workflows'), studioRoot: root },
    logger: recordingLogger(),
    ...(store ? { store } : {}),
    diagnose: () => comfy.logTail(),
  });
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  return entries.map((entry) => entry.split(path.sep).join('/')).sort();
}

describe('generation against the ComfyUI test double', () => {
  let comfy: FakeComfy;
  before(async () => {
    comfy = await startFakeComfy({ args: ['--fake-step-ms', '20'], models });
  });
  after(async () => {
    await comfy.stop();
  });

  it('saves every image with its own seed, the exact workflow beside it and one manifest line', async () => {
    const { dir, cleanup } = await studioFolder();
    const queue = newQueue(comfy, dir);
    try {
      const jobs = await queue.generate(request({ seeds: [101, 102, 103] }));
      const done = await queue.waitFor(jobs);
      assert.deepEqual(done.map((j) => [j.status, j.error?.message]), [['completed', undefined], ['completed', undefined], ['completed', undefined]]);
      assert.deepEqual(
        done.flatMap((j) => j.outputs.map((o) => o.image)),
        ['output/spyke/raw/spyke_v1.png', 'output/spyke/raw/spyke_v2.png', 'output/spyke/raw/spyke_v3.png'],
      );
      const lines = (await readFile(path.join(dir, manifestFile), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as ManifestEntry);
      assert.deepEqual(lines.map((l) => l.seed), [101, 102, 103]);
      for (const line of lines) {
        const sidecar = JSON.parse(await readFile(path.join(dir, line.workflow), 'utf8')) as Record<string, { inputs: Record<string, unknown> }>;
        assert.equal(sidecar['3']!.inputs['seed'], line.seed, 'the sidecar holds the workflow that made this image');
        assert.equal(sidecar['10']!.inputs['lora_name'], 'spyke_plasma_v1.safetensors');
        assert.equal(line.comfyuiVersion, '0.3.64');
        assert.ok(line.timings.runMs >= 0 && line.timings.queueWaitMs >= 0 && line.timings.downloadMs >= 0);
        const png = await readFile(path.join(dir, line.image));
        assert.equal(png.subarray(1, 4).toString(), 'PNG');
        assert.ok(png.includes(Buffer.from('tEXtprompt')), "ComfyUI's embedded prompt is kept");
      }
    } finally {
      queue.dispose();
      await cleanup();
    }
  });

  it('refuses a workflow naming a model ComfyUI lacks before anything is queued, naming the folder', async () => {
    const { dir, cleanup } = await studioFolder();
    const queue = newQueue(comfy, dir);
    try {
      await assert.rejects(queue.generate(request({ checkpoint: 'missing.safetensors' })), (error: unknown) => {
        assert.ok(error instanceof MissingInComfyError);
        assert.match(error.userMessage, /"missing\.safetensors".*models\/checkpoints/);
        return true;
      });
      assert.equal(queue.jobs.length, 0);
      assert.deepEqual(await comfy.client().queue(), { running: [], pending: [] });
    } finally {
      queue.dispose();
      await cleanup();
    }
  });

  it('cancels a queued and a running job: deleted from the queue, interrupted', async () => {
    const { dir, cleanup } = await studioFolder();
    const queue = newQueue(comfy, dir);
    try {
      const jobs = await queue.generate(request({ steps: 50, seeds: [1, 2, 3] }));
      await until(() => jobs[0]!.status === 'running' && jobs[1]!.status === 'submitted');
      await queue.cancel(jobs[1]!.id);
      await queue.cancel(jobs[2]!.id);
      await queue.cancel(jobs[0]!.id);
      const done = await queue.waitFor(jobs);
      assert.deepEqual(done.map((j) => j.status), ['cancelled', 'cancelled', 'cancelled']);
      assert.deepEqual(await filesUnder(path.join(dir, 'output')), []);
    } finally {
      queue.dispose();
      await cleanup();
    }
  });

  it('keeps the next job waiting in ComfyUI while one runs, so the GPU never idles', async () => {
    const { dir, cleanup } = await studioFolder();
    const queue = newQueue(comfy, dir);
    try {
      const jobs = await queue.generate(request({ steps: 10, seeds: [1, 2, 3, 4] }));
      let sawWaiting = false;
      const subscription = queue.onDidChangeJob(() => {
        if (jobs.some((j) => j.status === 'running') && jobs.some((j) => j.status === 'submitted')) sawWaiting = true;
      });
      await queue.waitFor(jobs);
      subscription.dispose();
      assert.ok(sawWaiting);
    } finally {
      queue.dispose();
      await cleanup();
    }
  });

  it('recovers after a restart of the extension host: what ComfyUI finished meanwhile is saved', async () => {
    const { dir, cleanup } = await studioFolder();
    const store = memoryStore();
    const first = newQueue(comfy, dir, store);
    const [job] = await first.generate(request({ steps: 10, seeds: [7] }));
    await until(() => job!.status === 'running');
    first.dispose(); // the host goes away mid-run; ComfyUI carries on
    await until(async () => (await comfy.client().history(job!.promptId!)) !== undefined);
    const second = newQueue(comfy, dir, store);
    try {
      await second.recover();
      const recovered = second.jobs.find((j) => j.id === job!.id)!;
      await second.waitFor([recovered]);
      assert.equal(recovered.status, 'completed');
      assert.deepEqual(await filesUnder(path.join(dir, 'output/spyke/raw')), ['spyke_v1.png', 'spyke_v1.workflow.json']);
    } finally {
      second.dispose();
      await cleanup();
    }
  });

  it('marks a job ComfyUI no longer knows as failed, with the reason', async () => {
    const { dir, cleanup } = await studioFolder();
    const store = memoryStore();
    store.save({ id: 'old', requestId: 'r', status: 'running', promptId: 'unknown-prompt', request: request(), seed: 1, workflow: {}, outputs: [], error: undefined, enqueuedAt: Date.now() });
    const queue = newQueue(comfy, dir, store);
    try {
      await queue.recover();
      assert.equal(store.records.get('old')?.status, 'failed');
      assert.match(store.records.get('old')?.error ?? '', /ComfyUI stopped while running this job/);
    } finally {
      queue.dispose();
      await cleanup();
    }
  });
});

describe('faults of the ComfyUI test double', () => {
  /** Runs one job against a double started with a fault; hands the job and the studio folder to `check`. */
  async function withFault(fault: string, stepMs: number, check: (job: GenerationJob, studio: string) => Promise<void>, overrides: Partial<GenerationRequest> = {}): Promise<void> {
    const comfy = await startFakeComfy({ args: ['--fake-step-ms', String(stepMs), '--fake-fault', fault], models });
    const { dir, cleanup } = await studioFolder();
    const queue = newQueue(comfy, dir);
    try {
      const [job] = await queue.waitFor(await queue.generate(request(overrides)));
      await check(job!, dir);
    } finally {
      queue.dispose();
      await comfy.stop();
      await cleanup();
    }
  }

  it('out of memory fails the job with a message that suggests a smaller size', async () => {
    await withFault('oom', 5, async (job) => {
      assert.equal(job.status, 'failed');
      assert.equal(job.error?.code, 'comfy_out_of_memory');
      assert.match(job.error!.message, /out of memory.*smaller size/);
    });
  });

  it('a model that vanished fails at run time, naming it', async () => {
    await withFault('missing-model', 5, async (job) => {
      assert.equal(job.status, 'failed');
      assert.match(job.error!.message, /not found/);
    });
  });

  it('ComfyUI dying mid-job fails the job with its last words and leaves no half-written file', async () => {
    await withFault(
      'die',
      20,
      async (job, studio) => {
        assert.equal(job.status, 'failed');
        assert.equal(job.error?.code, 'comfy_lost_job');
        assert.match(job.error!.message, /ComfyUI stopped while running this job\. Its last words:\n.+/);
        assert.deepEqual(await filesUnder(path.join(studio, 'output')), []);
      },
      { steps: 10 },
    );
  });
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
