// `studionova dataset check <dir>` from a terminal: the built command line as a child process,
// on a copy of the sample studio's dataset and on datasets made here with sharp.
import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { blue, red, writeSolidPng, writeSplitImage } from '../support/datasetImages';
import { runCli } from '../support/runCli';
import { sampleStudio, withSampleStudio, withTempFolder } from '../support/tempStudio';

interface Finding {
  file: string;
  line: number;
  column: number;
  severity: string;
  code: string;
  message: string;
}

interface SummaryLine {
  summary: { kind: string; resolution: number; trigger?: string; images: number; derived: number; captioned: number; errors: number; warnings: number; findings: Record<string, number> };
}

/** The findings, one per line, then the summary as the last line. */
function parseOutput(stdout: string): { findings: Finding[]; summary: SummaryLine['summary'] } {
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Finding | SummaryLine);
  const last = lines.pop() as SummaryLine;
  assert.ok(last.summary, `the last line is the summary: ${stdout}`);
  return { findings: lines as Finding[], summary: last.summary };
}

async function writeCaptionedDataset(folder: string, count: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'dataset.json'), JSON.stringify({ trigger: 'spyke_v1', resolution: 64 }));
  for (let i = 1; i <= count; i++) {
    await writeSplitImage(path.join(folder, `img_${i}.png`), 64, 64, i, red, blue);
    await writeFile(path.join(folder, `img_${i}.txt`), `spyke_v1, full body, pose ${i}, street`);
  }
}

describe('studionova dataset check', () => {
  it("reports the sample studio's dataset: a missing caption (error) and too few images (warning)", async () => {
    await withSampleStudio(async (studio) => {
      const result = await runCli('dataset', 'check', path.join(studio, 'datasets', 'spyke'));

      assert.equal(result.code, 1, result.stderr);
      const { findings, summary } = parseOutput(result.stdout);
      assert.deepEqual(
        findings.map((f) => [f.severity, f.code, f.file, f.line, f.column]),
        [
          ['error', 'dataset.caption-missing', 'datasets/spyke/spyke_003.png', 1, 1],
          ['warning', 'dataset.image-count', 'datasets/spyke/dataset.json', 1, 1],
        ],
      );
      assert.match(findings[0]!.message, /^spyke_003\.png has no caption: write spyke_003\.txt as "spyke_plasma_v1, framing, pose\/action, background"\.$/);
      assert.deepEqual(summary, {
        kind: 'character',
        resolution: 512,
        trigger: 'spyke_plasma_v1',
        images: 3,
        derived: 0,
        captioned: 2,
        errors: 1,
        warnings: 1,
        findings: { 'dataset.caption-missing': 1, 'dataset.image-count': 1 },
      });
    });
  });

  it('exits 0 with warnings only, and outside a studio names files from the folder above', async () => {
    await withTempFolder(async (dir) => {
      const copy = path.join(dir, 'spyke');
      await cp(path.join(sampleStudio, 'datasets', 'spyke'), copy, { recursive: true });
      await writeFile(path.join(copy, 'spyke_003.txt'), 'spyke_plasma_v1, close-up, smiling, rooftop');

      const result = await runCli('dataset', 'check', copy);

      assert.equal(result.code, 0, result.stderr);
      const { findings, summary } = parseOutput(result.stdout);
      assert.deepEqual(findings.map((f) => [f.severity, f.code, f.file]), [['warning', 'dataset.image-count', 'spyke/dataset.json']]);
      assert.equal(summary.captioned, 3);
    });
  });

  it('prints only the summary for a dataset with nothing to say', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'clean');
      await writeCaptionedDataset(folder, 15);
      const result = await runCli('dataset', 'check', folder);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim().split('\n').length, 1);
      assert.deepEqual(parseOutput(result.stdout).summary.findings, {});
    });
  });

  it('exits 1 on a broken dataset, one finding per line', async () => {
    await withTempFolder(async (dir) => {
      const folder = path.join(dir, 'broken');
      await writeCaptionedDataset(folder, 15);
      await writeFile(path.join(folder, 'img_1.png'), 'not a picture');
      await writeSolidPng(path.join(folder, 'img_2.png'), 128, red);
      await writeFile(path.join(folder, 'img_3.txt'), 'full body, street');

      const result = await runCli('dataset', 'check', folder);

      assert.equal(result.code, 1, result.stderr);
      const { findings, summary } = parseOutput(result.stdout);
      assert.deepEqual(findings.map((f) => [f.code, f.file]).sort(), [
        ['dataset.caption-no-trigger', 'broken/img_3.txt'],
        ['dataset.unreadable-image', 'broken/img_1.png'],
        ['dataset.wrong-size', 'broken/img_2.png'],
      ]);
      assert.equal(summary.errors, 3);
    });
  });

  it('exits 2 when it cannot run', async () => {
    await withTempFolder(async (dir) => {
      for (const args of [['dataset'], ['dataset', 'check'], ['dataset', 'fix', dir], ['dataset', 'check', path.join(dir, 'nowhere')]]) {
        const result = await runCli(...args);
        assert.equal(result.code, 2, args.join(' '));
        assert.equal(result.stdout, '');
        assert.match(result.stderr, /^studionova: /);
      }
    });
  });
});
