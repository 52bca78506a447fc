// `studionova generate --chapter --page` and `studionova check <page>` from a terminal against
// the ComfyUI test double: real child processes, real HTTP and WebSocket, real files.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseManifest } from '../../src/core/generation/manifest';
import { type FakeComfy, startFakeComfy } from '../support/fakeComfy';
import { runCli } from '../support/runCli';
import { withSampleStudio, withTempFolder } from '../support/tempStudio';

const page = 'chapters/ch-01/p001.page.md';

interface ImageLine {
  image: string;
  workflow: string;
  seed: number;
  version: number;
  panel: number;
}

function imageLines(stdout: string): ImageLine[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ImageLine)
    .sort((a, b) => a.panel - b.panel);
}

function problemLines(output: string): Array<[string, number, string, string]> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { file: string; line: number; severity: string; code: string })
    .map((p) => [p.file, p.line, p.severity, p.code]);
}

async function editPage(studio: string, edit: (text: string) => string): Promise<void> {
  const file = path.join(studio, page);
  await writeFile(file, edit(await readFile(file, 'utf8')));
}

let comfy: FakeComfy;
before(async () => {
  comfy = await startFakeComfy({ args: ['--fake-step-ms', '2'], models: { checkpoints: ['v1-5-pruned-emaonly.safetensors'], loras: ['spyke_plasma_v1.safetensors'] } });
});
after(() => comfy.stop());

describe('studionova generate --chapter --page', () => {
  it('generates every panel of the page with the seeds it gives, one JSON line per image', async () => {
    await withSampleStudio(async (studio) => {
      const result = await runCli('generate', '--studio', studio, '--chapter', '1', '--page', '1', '--url', comfy.url);
      assert.equal(result.code, 0, result.stderr);
      const lines = imageLines(result.stdout);
      assert.deepEqual(lines.map((l) => [l.panel, l.seed]), [[1, 1234], [2, 5678]]);
      for (const line of lines) {
        assert.match(line.image, /^output\/ch-01\/raw\/ch01_p001_v[12]\.png$/);
        assert.ok(existsSync(path.join(studio, line.image)));
        assert.ok(existsSync(path.join(studio, line.workflow)));
      }
      assert.match(result.stderr, /\[panel 1, 1\/1\] seed 1234: completed/);
      assert.match(result.stderr, /\[panel 2, 1\/1\] seed 5678: completed/);
      const manifest = parseManifest(await readFile(path.join(studio, 'output/generation-log.jsonl'), 'utf8'));
      assert.deepEqual(manifest.map((entry) => [entry.seed, entry.target]).sort(), [
        [1234, { kind: 'page', chapter: 1, page: 1, panel: 1 }],
        [5678, { kind: 'page', chapter: 1, page: 1, panel: 2 }],
      ]);
    });
  });

  it('--panel 2 generates that panel only', async () => {
    await withSampleStudio(async (studio) => {
      const result = await runCli('generate', '--studio', studio, '--chapter', '1', '--page', '1', '--panel', '2', '--url', comfy.url);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(imageLines(result.stdout).map((l) => [l.panel, l.seed, l.image]), [[2, 5678, 'output/ch-01/raw/ch01_p001_v1.png']]);
      assert.doesNotMatch(result.stderr, /panel 1/);
    });
  });

  it('queues nothing when the page names a sampler ComfyUI lacks, and remembers ComfyUI\'s lists for check', async () => {
    await withSampleStudio(async (studio) => {
      await editPage(studio, (text) => text.replace('sampler: euler_ancestral', 'sampler: euler_ancestrl'));
      const result = await runCli('generate', '--studio', studio, '--chapter', '1', '--page', '1', '--url', comfy.url);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.deepEqual(problemLines(result.stderr), [[page, 8, 'error', 'prompt.unknown-sampler']]);
      assert.match(result.stderr, /Did you mean \\"euler_ancestral\\"/);
      assert.ok(!existsSync(path.join(studio, 'output')));

      // No --url: the lists the generate above got from ComfyUI, as the index remembers them.
      const check = await runCli('check', path.join(studio, page));
      assert.equal(check.code, 1);
      assert.deepEqual(problemLines(check.stdout), [[page, 8, 'error', 'prompt.unknown-sampler']]);
      assert.match(check.stderr, /as remembered from/);
    });
  });

  it('with --panel, a problem inside another panel does not stop it; the whole page still refuses', async () => {
    await withSampleStudio(async (studio) => {
      await editPage(studio, (text) => text.replace('seed: 1234', 'seed: 1234\nsampler: eulr'));
      const whole = await runCli('generate', '--studio', studio, '--chapter', '1', '--page', '1', '--url', comfy.url);
      assert.equal(whole.code, 1);
      assert.deepEqual(problemLines(whole.stderr), [[page, 14, 'error', 'prompt.unknown-sampler']]);
      const second = await runCli('generate', '--studio', studio, '--chapter', '1', '--page', '1', '--panel', '2', '--url', comfy.url);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(imageLines(second.stdout).map((l) => l.panel), [2]);
    });
  });

  it('names a missing page file and how to create it; refuses --prompt with a page', async () => {
    await withSampleStudio(async (studio) => {
      const missing = await runCli('generate', '--studio', studio, '--chapter', '1', '--page', '2', '--url', comfy.url);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /no page file chapters\/ch-01\/p002\.page\.md .*"StudioNOVA: New Page"/);
      const both = await runCli('generate', '--studio', studio, '--chapter', '1', '--page', '1', '--prompt', 'x', '--url', comfy.url);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /not both/);
      assert.ok(!existsSync(path.join(studio, 'output')));
    });
  });
});

describe('studionova check <page>', () => {
  it('finds nothing wrong with the sample page, with ComfyUI live or not known', async () => {
    await withSampleStudio(async (studio) => {
      const live = await runCli('check', path.join(studio, page), '--url', comfy.url);
      assert.deepEqual([live.code, live.stdout], [0, ''], live.stderr);
      const offline = await runCli('check', path.join(studio, page));
      assert.deepEqual([offline.code, offline.stdout], [0, ''], offline.stderr);
      assert.match(offline.stderr, /lists are not known/);
      assert.ok(!existsSync(path.join(studio, '.studio')), 'check creates no index');
    });
  });

  it('prints a broken page\'s problems with their lines and exits 1', async () => {
    await withSampleStudio(async (studio) => {
      await writeFile(path.join(studio, 'chapters/ch-01/p002.page.md'), '---\nsize: 640x768\n---\n## Panel 1\ncharacter: spike\nrunning\n');
      const result = await runCli('check', path.join(studio, 'chapters/ch-01/p002.page.md'), '--url', comfy.url);
      assert.equal(result.code, 1);
      assert.deepEqual(problemLines(result.stdout), [
        ['chapters/ch-01/p002.page.md', 2, 'error', 'prompt.size-over-hardware'],
        ['chapters/ch-01/p002.page.md', 5, 'error', 'prompt.unknown-character'],
      ]);
      // A larger profile allows the size; the character is still unknown.
      const nvidia = await runCli('check', path.join(studio, 'chapters/ch-01/p002.page.md'), '--profile', 'nvidia-24gb', '--url', comfy.url);
      assert.deepEqual(problemLines(nvidia.stdout), [['chapters/ch-01/p002.page.md', 5, 'error', 'prompt.unknown-character']]);
    });
  });

  it('checks only the text of a page outside any studio, and says so', async () => {
    await withTempFolder(async (dir) => {
      await mkdir(path.join(dir, 'loose'));
      const file = path.join(dir, 'loose', 'p001.page.md');
      await writeFile(file, '---\nsize: 640x768\nsteps: 0\n---\n## Panel 1\ncharacter: spike\nrunning\n');
      const result = await runCli('check', file, '--url', comfy.url);
      assert.equal(result.code, 1);
      assert.deepEqual(problemLines(result.stdout), [[file, 3, 'error', 'prompt.invalid-value']]);
      assert.match(result.stderr, /not inside a studio/);
    });
  });
});
