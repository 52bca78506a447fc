import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chapterId, classifyStudioPath, pageFile, sidecarOf } from '../../../../src/core/studio/layout';

describe('classifyStudioPath', () => {
  it('recognises each kind of studio file with the ids its path carries', () => {
    assert.deepEqual(classifyStudioPath('studio.json'), { role: 'studio' });
    assert.deepEqual(classifyStudioPath('characters/spyke/character.md'), { role: 'character', characterId: 'spyke' });
    assert.deepEqual(classifyStudioPath('characters/spyke/consent.json'), { role: 'consent', characterId: 'spyke' });
    assert.deepEqual(classifyStudioPath('characters/spyke/refs/front.PNG'), { role: 'reference', characterId: 'spyke' });
    assert.deepEqual(classifyStudioPath('datasets/spyke/dataset.json'), { role: 'dataset', datasetId: 'spyke' });
    assert.deepEqual(classifyStudioPath('datasets/spyke/a.b.jpg'), { role: 'dataset-image', datasetId: 'spyke', stem: 'a.b' });
    assert.deepEqual(classifyStudioPath('datasets/spyke/a.b.txt'), { role: 'caption', datasetId: 'spyke', stem: 'a.b' });
    assert.deepEqual(classifyStudioPath('chapters/ch-01/chapter.md'), { role: 'chapter', chapterId: 'ch-01' });
    assert.deepEqual(classifyStudioPath('chapters/ch-01/p012.page.md'), { role: 'page', chapterId: 'ch-01', page: 12 });
    assert.deepEqual(classifyStudioPath('training/run-1/spyke-000200.safetensors'), { role: 'lora', name: 'spyke-000200' });
    assert.deepEqual(classifyStudioPath('workflows/txt2img.json'), { role: 'workflow', name: 'txt2img' });
    assert.deepEqual(classifyStudioPath('output/ch-01/raw/ch01_p001_v1.workflow.json'), { role: 'sidecar' });
    assert.deepEqual(classifyStudioPath('output/generation-log.jsonl'), { role: 'manifest' });
  });

  it('reads chapter, page and version from generated image names', () => {
    assert.deepEqual(classifyStudioPath('output/ch-02/raw/ch02_p013_v7.png'), {
      role: 'asset',
      generated: { chapter: 2, page: 13, version: 7 },
      stage: 'raw',
    });
    assert.deepEqual(classifyStudioPath('output/dropped.webp'), { role: 'asset', generated: undefined, stage: undefined });
  });

  it('ignores untracked files, nested dataset folders and hidden folders', () => {
    for (const ignored of [
      'README.md',
      'characters/spyke/notes.txt',
      'characters/character.md',
      'datasets/spyke/originals/a.png',
      'chapters/ch-01/notes.md',
      'chapters/ch-01/p001.prompt.md',
      'output/.studio/x.png',
      'output/ch-01/generation-log.jsonl',
      'training/run/log.txt',
    ]) {
      assert.equal(classifyStudioPath(ignored), undefined, ignored);
    }
  });
});

describe('path conventions', () => {
  it('pads chapter and page numbers as product.md names them', () => {
    assert.equal(chapterId(1), 'ch-01');
    assert.equal(pageFile('ch-01', 7), 'chapters/ch-01/p007.page.md');
    assert.equal(sidecarOf('output/ch-01/raw/ch01_p001_v1.png'), 'output/ch-01/raw/ch01_p001_v1.workflow.json');
  });
});
