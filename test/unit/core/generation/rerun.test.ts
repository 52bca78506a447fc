import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ApiWorkflow } from '../../../../src/core/comfy/comfyClient';
import { WorkflowError } from '../../../../src/core/comfy/errors';
import { approve } from '../../../../src/core/generation/approval';
import { manifestFile, type ManifestEntry } from '../../../../src/core/generation/manifest';
import { readVersion, rerunPlan, rerunRequest, withSeed } from '../../../../src/core/generation/rerun';
import { AppError, InvalidInputError } from '../../../../src/core/util/errors';
import { repoRoot, withTempFolder } from '../../../support/tempStudio';

function entry(overrides: Partial<ManifestEntry> = {}): ManifestEntry {
  return {
    image: 'output/ch-01/raw/ch01_p001_v1.png',
    workflow: 'output/ch-01/raw/ch01_p001_v1.workflow.json',
    jobId: 'job',
    promptId: 'prompt',
    createdAt: '2026-01-01T00:00:00.000Z',
    seed: 1234,
    sampler: 'euler_ancestral',
    scheduler: 'karras',
    steps: 24,
    cfg: 6.5,
    width: 512,
    height: 768,
    checkpoint: 'sd15.safetensors',
    lora: { name: 'spyke_plasma_v1.safetensors', strength: 0.7 },
    template: 'txt2img-lora',
    character: 'spyke',
    target: { kind: 'page', chapter: 1, page: 1, panel: 2 },
    promptFile: 'chapters/ch-01/p001.page.md',
    prompt: 'spyke_plasma_v1, running',
    negative: 'lowres',
    promptHash: 'abc',
    comfyuiVersion: '0.3.64',
    timings: { queueWaitMs: 0, runMs: 1, downloadMs: 1 },
    ...overrides,
  };
}

async function template(name: string): Promise<ApiWorkflow> {
  return JSON.parse(await readFile(path.join(repoRoot, 'workflows', `${name}.json`), 'utf8')) as ApiWorkflow;
}

/** Every input that differs between two workflows, as `node.input`. */
function differences(a: ApiWorkflow, b: ApiWorkflow): string[] {
  return Object.keys(a).flatMap((node) =>
    Object.keys(a[node]!.inputs)
      .filter((input) => JSON.stringify(a[node]!.inputs[input]) !== JSON.stringify(b[node]?.inputs[input]))
      .map((input) => `${node}.${input}`),
  );
}

describe('withSeed', () => {
  it('changes only the seed, on a copy', async () => {
    const workflow = await template('txt2img-lora');
    const before = structuredClone(workflow);
    const seeded = withSeed(workflow, 98765);
    assert.deepEqual(differences(workflow, seeded), ['3.seed']);
    assert.equal(seeded['3']!.inputs['seed'], 98765);
    assert.deepEqual(workflow, before);
  });

  it('refuses a workflow without a seed it can find, naming the workflow', () => {
    const workflow: ApiWorkflow = { '1': { class_type: 'LoadImage', inputs: { image: 'x.png' } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } } };
    assert.throws(() => withSeed(workflow, 1, 'output/ch-01/raw/ch01_p001_v1.workflow.json'), (error: unknown) => {
      assert.ok(error instanceof WorkflowError);
      assert.match(error.userMessage, /ch01_p001_v1\.workflow\.json has no seed/);
      return true;
    });
  });
});

describe('rerunRequest', () => {
  it('is the request the line describes, for one image with the given seed', () => {
    assert.deepEqual(rerunRequest(entry(), 55), {
      template: 'txt2img-lora',
      characterId: 'spyke',
      prompt: 'spyke_plasma_v1, running',
      negative: 'lowres',
      width: 512,
      height: 768,
      steps: 24,
      cfg: 6.5,
      sampler: 'euler_ancestral',
      scheduler: 'karras',
      checkpoint: 'sd15.safetensors',
      lora: { name: 'spyke_plasma_v1.safetensors', strength: 0.7 },
      target: { kind: 'page', chapter: 1, page: 1, panel: 2 },
      promptFile: 'chapters/ch-01/p001.page.md',
      seeds: [55],
    });
  });

  it('turns what the line leaves empty into absent fields, and refuses a seed out of range', () => {
    const request = rerunRequest(entry({ lora: null, character: null, promptFile: null }), 1);
    assert.equal(request.lora, undefined);
    assert.equal(request.characterId, undefined);
    assert.equal(request.promptFile, undefined);
    assert.throws(() => rerunRequest(entry(), -1), InvalidInputError);
  });
});

describe('readVersion', () => {
  /** A studio with version 1 of page 1 generated: its image, sidecar and manifest lines. */
  async function generated(root: string, lines: readonly string[]): Promise<ApiWorkflow> {
    const workflow = withSeed(await template('txt2img-lora'), 1234);
    await mkdir(path.join(root, 'output/ch-01/raw'), { recursive: true });
    await writeFile(path.join(root, 'output/ch-01/raw/ch01_p001_v1.png'), 'png');
    await writeFile(path.join(root, 'output/ch-01/raw/ch01_p001_v1.workflow.json'), JSON.stringify(workflow, null, 2));
    await writeFile(path.join(root, manifestFile), lines.join('\n') + '\n');
    return workflow;
  }

  it('reads the last line for the raw image and its sidecar, from the raw path or an approved copy', async () => {
    await withTempFolder(async (root) => {
      const workflow = await generated(root, [
        JSON.stringify(entry({ seed: 1 })),
        JSON.stringify(entry({ image: 'output/ch-01/raw/ch01_p001_v10.png', seed: 10 })),
        '{"image": "cut short',
        JSON.stringify(entry({ seed: 1234 })),
        JSON.stringify(entry({ image: 'output/ch-01/raw/ch01_p001_v11.png', seed: 11 })),
      ]);
      const version = await readVersion(root, 'output/ch-01/raw/ch01_p001_v1.png');
      assert.equal(version.entry.seed, 1234);
      assert.equal(version.image, 'output/ch-01/raw/ch01_p001_v1.png');
      assert.deepEqual(version.workflow, workflow);
      await approve(root, 'output/ch-01/raw/ch01_p001_v1.png', []);
      const fromApproved = await readVersion(root, 'output/ch-01/approved/ch01_p001_v1.png');
      assert.deepEqual(fromApproved.entry, version.entry);
      assert.equal(fromApproved.sidecar, 'output/ch-01/approved/ch01_p001_v1.workflow.json');
      await rm(path.join(root, fromApproved.sidecar));
      assert.equal((await readVersion(root, 'output/ch-01/approved/ch01_p001_v1.png')).sidecar, 'output/ch-01/raw/ch01_p001_v1.workflow.json');
    });
  });

  it('says when the manifest has no line for the image, or when its sidecar is gone', async () => {
    await withTempFolder(async (root) => {
      await generated(root, [JSON.stringify(entry({ image: 'output/ch-01/raw/ch01_p001_v2.png' }))]);
      await assert.rejects(readVersion(root, 'output/ch-01/raw/ch01_p001_v1.png'), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.match(error.userMessage, /generation-log\.jsonl has no line for output\/ch-01\/raw\/ch01_p001_v1\.png.*Generate the panel again/);
        return true;
      });
      await writeFile(path.join(root, manifestFile), JSON.stringify(entry()) + '\n');
      await rm(path.join(root, 'output/ch-01/raw/ch01_p001_v1.workflow.json'));
      await assert.rejects(readVersion(root, 'output/ch-01/raw/ch01_p001_v1.png'), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.match(error.userMessage, /ch01_p001_v1\.workflow\.json is missing.*cannot be re-run/);
        return true;
      });
      await assert.rejects(readVersion(root, 'workflows/txt2img.json'), InvalidInputError);
    });
  });

  it('finds the oldest image of a 10,000-line manifest quickly', async () => {
    await withTempFolder(async (root) => {
      const lines = Array.from({ length: 10_000 }, (_, i) => JSON.stringify(entry({ image: `output/ch-01/raw/ch01_p001_v${i + 1}.png`, seed: i })));
      await generated(root, lines);
      const started = performance.now();
      const version = await readVersion(root, 'output/ch-01/raw/ch01_p001_v1.png');
      const elapsed = performance.now() - started;
      assert.equal(version.entry.seed, 0);
      assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
    });
  });
});

describe('rerunPlan', () => {
  it('sends the sidecar as it is for its own seed, and changes only the seed for a new one', async () => {
    const workflow = withSeed(await template('txt2img-lora'), 1234);
    const version = { image: 'output/ch-01/raw/ch01_p001_v1.png', entry: entry(), workflow, sidecar: 'output/ch-01/raw/ch01_p001_v1.workflow.json' };
    const same = rerunPlan(version);
    assert.equal(same.workflow, workflow);
    assert.deepEqual(same.request.seeds, [1234]);
    const fresh = rerunPlan(version, 777);
    assert.deepEqual(differences(workflow, fresh.workflow), ['3.seed']);
    assert.deepEqual(fresh.request.seeds, [777]);
  });
});
