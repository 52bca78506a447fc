// `studionova generate` from a terminal against the ComfyUI test double: a real child process,
// real HTTP and WebSocket, real files.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StudioIndex } from '../../src/core/studio/studioIndex';
import { type FakeComfy, startFakeComfy } from '../support/fakeComfy';
import { runCli } from '../support/runCli';
import { recordingLogger, wasmPath, withSampleStudio } from '../support/tempStudio';


describe('studionova generate', () => {
  let comfy: FakeComfy;
  before(async () => {
    comfy = await startFakeComfy({ args: ['--fake-step-ms', '5'], models: { checkpoints: ['v1-5-pruned-emaonly.safetensors'], loras: ['spyke_plasma_v1.safetensors'] } });
  });
  after(() => comfy.stop());

  it('generates a character with its LoRA, prints one JSON line per image and indexes them', async () => {
    await withSampleStudio(async (studio) => {
      const result = await runCli('generate', '--studio', studio, '--prompt', 'running in the rain', '--character', 'spyke', '--count', '2', '--seed', '5', '--url', comfy.url);
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { image: string; seed: number });
      assert.deepEqual(lines.map((l) => l.seed).sort(), [5, 6]);
      assert.deepEqual(lines.map((l) => l.image).sort(), ['output/spyke/raw/spyke_v1.png', 'output/spyke/raw/spyke_v2.png']);
      for (const line of lines) assert.ok(existsSync(path.join(studio, line.image)));
      assert.match(result.stderr, /\[1\/2\] seed 5: completed/);
      const index = await StudioIndex.open({ root: studio, wasmPath, logger: recordingLogger() });
      assert.deepEqual(index.gallery.list({ sort: 'date' }, 0, 10).map((a) => a.path).sort(), ['output/spyke/raw/spyke_v1.png', 'output/spyke/raw/spyke_v2.png']);
      await index.close();
    });
  });

  it('refuses a size over the hardware profile, and an unreachable ComfyUI, with what to do', async () => {
    await withSampleStudio(async (studio) => {
      const tooLarge = await runCli('generate', '--studio', studio, '--prompt', 'x', '--size', '640x768', '--url', comfy.url);
      assert.equal(tooLarge.code, 1);
      assert.match(tooLarge.stderr, /640×768 is over the Apple M1, 16 GB limit of 512×768/);
      const unreachable = await runCli('generate', '--studio', studio, '--prompt', 'x', '--url', 'http://127.0.0.1:9');
      assert.equal(unreachable.code, 1);
      assert.match(unreachable.stderr, /ComfyUI is not reachable at http:\/\/127\.0\.0\.1:9/);
      assert.ok(!existsSync(path.join(studio, 'output')));
    });
  });

  it('prints the slots it finds in a workflow, and refuses a UI-format file with how to export', async () => {
    const slots = await runCli('workflow', 'slots', 'workflows/txt2img-lora.json');
    assert.equal(slots.code, 0);
    const parsed = JSON.parse(slots.stdout) as { slots: Record<string, { node: string; input: string }> };
    assert.deepEqual(parsed.slots['lora'], { node: '10', input: 'lora_name', classType: 'LoraLoader', foundBy: 'graph' });
    const ui = await runCli('workflow', 'slots', 'test/fixtures/comfyui/ui-workflow.json');
    assert.equal(ui.code, 1);
    assert.match(ui.stderr, /UI workflow.*Export \(API\)/);
  });
});
