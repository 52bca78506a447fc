// Re-running a version against the ComfyUI test double: the sidecar is sent as it is, for the
// same seed or with only the seed changed, and the new version gets its own manifest line.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiWorkflow } from '../../src/core/comfy/comfyClient';
import { ComfyClient } from '../../src/core/comfy/comfyClient';
import { approve } from '../../src/core/generation/approval';
import { GenerationQueue } from '../../src/core/generation/generationQueue';
import { manifestFile, parseManifest } from '../../src/core/generation/manifest';
import type { GenerationRequest } from '../../src/core/generation/request';
import { readVersion, rerunPlan } from '../../src/core/generation/rerun';
import { AppError } from '../../src/core/util/errors';
import { type FakeComfy, startFakeComfy } from '../support/fakeComfy';
import { sampleRequest } from '../support/sampleRequest';
import { recordingLogger, repoRoot, tempFolder } from '../support/tempStudio';

const request = sampleRequest({ target: { kind: 'page', chapter: 1, page: 1, panel: 2 }, promptFile: 'chapters/ch-01/p001.page.md' });

describe('re-running a version against the ComfyUI test double', () => {
  let comfy: FakeComfy;
  let studio: { dir: string; cleanup: () => Promise<void> };
  let queue: GenerationQueue;
  before(async () => {
    comfy = await startFakeComfy({ args: ['--fake-step-ms', '5'], models: { checkpoints: ['sd15.safetensors'], loras: ['spyke_plasma_v1.safetensors'] } });
    studio = await tempFolder('studionova-rerun-');
    queue = new GenerationQueue({
      client: new ComfyClient(comfy.url),
      studioRoot: studio.dir,
      templates: { builtinFolder: path.join(repoRoot, 'workflows'), studioRoot: studio.dir },
      logger: recordingLogger(),
    });
  });
  after(async () => {
    queue.dispose();
    await comfy.stop();
    await studio.cleanup();
  });

  const read = (file: string): Promise<string> => readFile(path.join(studio.dir, file), 'utf8');
  const manifest = async (): Promise<ReturnType<typeof parseManifest>> => parseManifest(await read(manifestFile));
  /** Queues one plan and waits for its single image. */
  async function run(plan: { request: GenerationRequest; workflow: ApiWorkflow }): Promise<string> {
    const [job] = await queue.waitFor(await queue.generateWorkflows(plan.request, [plan.workflow]));
    assert.equal(job!.status, 'completed', job!.error?.message);
    return job!.outputs[0]!.image;
  }

  it('re-runs "same" with the exact workflow and seed, and "new seed" changing only the seed', async () => {
    const [first] = await queue.waitFor(await queue.generate(request));
    assert.equal(first!.outputs[0]!.image, 'output/ch-01/raw/ch01_p001_v1.png');
    // The template changes afterwards; a re-run must still make the image as it was made.
    const changed = JSON.parse(await readFile(path.join(repoRoot, 'workflows/txt2img-lora.json'), 'utf8')) as ApiWorkflow;
    changed['3']!.inputs['denoise'] = 0.9;
    await mkdir(path.join(studio.dir, 'workflows'), { recursive: true });
    await writeFile(path.join(studio.dir, 'workflows/txt2img-lora.json'), JSON.stringify(changed));

    const same = await run(rerunPlan(await readVersion(studio.dir, 'output/ch-01/raw/ch01_p001_v1.png')));
    assert.equal(same, 'output/ch-01/raw/ch01_p001_v2.png');
    assert.equal(await read('output/ch-01/raw/ch01_p001_v2.workflow.json'), await read('output/ch-01/raw/ch01_p001_v1.workflow.json'));

    await approve(studio.dir, 'output/ch-01/raw/ch01_p001_v1.png', []);
    const seeded = await run(rerunPlan(await readVersion(studio.dir, 'output/ch-01/approved/ch01_p001_v1.png'), 4242));
    assert.equal(seeded, 'output/ch-01/raw/ch01_p001_v3.png');
    const original = JSON.parse(await read('output/ch-01/raw/ch01_p001_v1.workflow.json')) as ApiWorkflow;
    const reseeded = JSON.parse(await read('output/ch-01/raw/ch01_p001_v3.workflow.json')) as ApiWorkflow;
    assert.equal(reseeded['3']!.inputs['seed'], 4242);
    assert.deepEqual(reseeded, { ...original, '3': { ...original['3']!, inputs: { ...original['3']!.inputs, seed: 4242 } } }, 'only the seed differs');

    const lines = await manifest();
    assert.deepEqual(
      lines.map((line) => [line.image, line.seed, line.promptFile, line.target]),
      [
        ['output/ch-01/raw/ch01_p001_v1.png', 101, 'chapters/ch-01/p001.page.md', request.target],
        ['output/ch-01/raw/ch01_p001_v2.png', 101, 'chapters/ch-01/p001.page.md', request.target],
        ['output/ch-01/raw/ch01_p001_v3.png', 4242, 'chapters/ch-01/p001.page.md', request.target],
      ],
    );
    const recorded = ({ jobId: _j, promptId: _p, createdAt: _c, timings: _t, image: _i, workflow: _w, seed: _s, ...rest }: (typeof lines)[number]): object => rest;
    assert.deepEqual(recorded(lines[1]!), recorded(lines[0]!), 'the re-run records the same parameters');
    assert.deepEqual(recorded(lines[2]!), recorded(lines[0]!));
  });

  it('refuses to queue workflows that do not match the request’s seeds', async () => {
    const jobsBefore = queue.jobs.length;
    await assert.rejects(queue.generateWorkflows({ ...request, seeds: [1, 2] }, [{}]), (error: unknown) => error instanceof AppError && /each workflow needs its own seed/.test(error.userMessage));
    await assert.rejects(queue.generateWorkflows({ ...request, seeds: [] }, []), AppError);
    assert.equal(queue.jobs.length, jobsBefore);
  });
});
