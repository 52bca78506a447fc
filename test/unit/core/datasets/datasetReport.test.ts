import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datasetReportMarkdown } from '../../../../src/core/datasets/datasetReport';
import type { DatasetCheck } from '../../../../src/core/datasets/validateDataset';

const range = { startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 };
const check = (problems: DatasetCheck['problems'], errors: number, warnings: number): DatasetCheck => ({
  problems,
  summary: { kind: 'character', resolution: 512, trigger: 'spyke_plasma_v1', images: 3, derived: 1, captioned: 2, errors, warnings, findings: {} },
});

describe('datasetReportMarkdown', () => {
  it('gives the counts, the verdict and each finding under its file', () => {
    const text = datasetReportMarkdown(
      'spyke',
      check(
        [
          { file: 'datasets/spyke/b.png', range, severity: 'error', code: 'dataset.caption-missing', message: 'No caption.' },
          { file: 'datasets/spyke/a.png', range, severity: 'warning', code: 'dataset.wrong-size', message: 'Too small.' },
        ],
        1,
        1,
      ),
    );
    assert.match(text, /^# Dataset spyke\n/);
    assert.match(text, /trigger word `spyke_plasma_v1`/);
    assert.match(text, /- Images: 3 \(1 made by augmentation\)/);
    assert.match(text, /\*\*1 error\*\* stop a training/);
    assert.ok(text.indexOf('## datasets/spyke/a.png') < text.indexOf('## datasets/spyke/b.png'));
    assert.match(text, /## datasets\/spyke\/b.png\n\n- Error: No caption\./);
  });

  it('says when a dataset is ready', () => {
    assert.match(datasetReportMarkdown('spyke', check([], 0, 0)), /No problems: ready for training\./);
    assert.match(datasetReportMarkdown('spyke', check([], 0, 2)), /No errors\. 2 warnings to look at\./);
  });
});
