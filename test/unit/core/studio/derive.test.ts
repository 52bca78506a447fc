import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveStudioModel } from '../../../../src/core/studio/derive';
import { type DocumentResult, isDocumentRole, parseDocument } from '../../../../src/core/studio/documents';
import { classifyStudioPath } from '../../../../src/core/studio/layout';
import type { StudioFile } from '../../../../src/core/studio/scanner';
import { manifestLine } from '../../../support/manifestEntry';

/** Builds the inputs of deriveStudioModel from a map of path → text (or null for binary files). */
function studio(files: Record<string, string | null>): { files: StudioFile[]; documents: Map<string, DocumentResult> } {
  const list: StudioFile[] = [];
  const documents = new Map<string, DocumentResult>();
  for (const [path, text] of Object.entries(files)) {
    const role = classifyStudioPath(path)!;
    list.push({ path, role, size: text?.length ?? 100, mtimeMs: 1 });
    if (text !== null && isDocumentRole(role)) documents.set(path, parseDocument(path, role, text));
  }
  return { files: list, documents };
}

describe('deriveStudioModel', () => {
  it('counts dataset images and the ones with a caption', () => {
    const { files, documents } = studio({
      'studio.json': '{"name":"S"}',
      'characters/mira/character.md': '---\nname: Mira\ntrigger: mira_v1\n---\n',
      'datasets/mira/a.png': null,
      'datasets/mira/a.txt': 'mira_v1, portrait',
      'datasets/mira/b.png': null,
      'datasets/mira/orphan.txt': 'no image',
    });
    const model = deriveStudioModel(files, documents);
    assert.deepEqual(model.datasets, [
      { id: 'mira', characterId: 'mira', trigger: 'mira_v1', kind: 'character', repeats: 10, path: 'datasets/mira', imageCount: 2, captionedCount: 1 },
    ]);
  });

  it('lists LoRAs found under training/ and those only named by a character', () => {
    const { files, documents } = studio({
      'studio.json': '{"name":"S"}',
      'characters/mira/character.md': '---\nname: Mira\ntrigger: mira_v1\nlora: mira_v1.safetensors\n---\n',
      'characters/spyke/character.md': '---\nname: Spyke\ntrigger: s_v1\nlora: spyke_v1.safetensors\n---\n',
      'training/run-1/spyke_v1.safetensors': null,
    });
    const model = deriveStudioModel(files, documents);
    assert.deepEqual(model.loras, [
      { name: 'mira_v1', path: undefined, characterId: 'mira', source: 'declared' },
      { name: 'spyke_v1', path: 'training/run-1/spyke_v1.safetensors', characterId: 'spyke', source: 'training' },
    ]);
  });

  it('makes a chapter of a folder of pages without chapter.md, and orders chapters by number', () => {
    const { files, documents } = studio({
      'studio.json': '{"name":"S"}',
      'chapters/ch-02/chapter.md': '---\nnumber: 2\ntitle: Two\n---\n',
      'chapters/ch-01/p002.page.md': '## Panel 1\n',
      'chapters/ch-01/p001.page.md': '## Panel 1\n## Panel 2\n',
    });
    const model = deriveStudioModel(files, documents);
    assert.deepEqual(model.chapters.map((c) => [c.id, c.number, c.title]), [['ch-01', 1, 'ch-01'], ['ch-02', 2, 'Two']]);
    assert.deepEqual(model.pages.map((p) => [p.number, p.panelCount]), [[1, 2], [2, 1]]);
  });

  it('gives each page its panels', () => {
    const { files, documents } = studio({
      'studio.json': '{"name":"S"}',
      'chapters/ch-01/p001.page.md': '## Wide shot\ncity\n## Close-up\nface\n',
      'chapters/ch-01/p002.page.md': 'no panels yet\n',
    });
    const pages = deriveStudioModel(files, documents).pages;
    assert.deepEqual(pages.map((p) => [p.number, p.panelCount, p.panels]), [
      [1, 2, [{ index: 1, title: 'Wide shot', line: 0 }, { index: 2, title: 'Close-up', line: 2 }]],
      [2, 0, []],
    ]);
  });

  it('warns when a dataset names a character that does not exist', () => {
    const { files, documents } = studio({ 'studio.json': '{"name":"S"}', 'datasets/x/dataset.json': '{"character":"ghost"}' });
    const problems = deriveStudioModel(files, documents).problems;
    assert.deepEqual(problems.map((p) => [p.file, p.code]), [['datasets/x/dataset.json', 'dataset.unknown-character']]);
  });

  it('reads generated image names and notices their workflow sidecars', () => {
    const { files, documents } = studio({
      'studio.json': '{"name":"S"}',
      'output/ch-01/raw/ch01_p001_v1.png': null,
      'output/ch-01/raw/ch01_p001_v1.workflow.json': null,
      'output/ch-01/raw/ch01_p001_v2.png': null,
    });
    const assets = deriveStudioModel(files, documents).assets;
    assert.deepEqual(assets.map((a) => [a.chapterId, a.page, a.version, a.stage, a.hasSidecar]), [
      ['ch-01', 1, 1, 'raw', true],
      ['ch-01', 1, 2, 'raw', false],
    ]);
  });

  it('gives raw and approved copies of a version the panel and seed of its generation-log line', () => {
    const page = (panel?: number) => ({ kind: 'page', chapter: 1, page: 1, ...(panel === undefined ? {} : { panel }) }) as const;
    const { files, documents } = studio({
      'studio.json': '{"name":"S"}',
      'output/ch-01/raw/ch01_p001_v1.png': null,
      'output/ch-01/raw/ch01_p001_v2.png': null,
      'output/ch-01/raw/ch01_p001_v3.png': null,
      'output/ch-01/approved/ch01_p001_v3.png': null,
      'output/ch-01/raw/ch01_p002_v1.png': null,
      'output/ch-02/raw/ch02_p001_v1.png': null,
      'output/dropped.png': null,
      'output/generation-log.jsonl': [
        manifestLine('output/ch-01/raw/ch01_p001_v1.png', page(1), 11),
        manifestLine('output/ch-01/raw/ch01_p001_v2.png', page(), 12),
        manifestLine('output/ch-01/raw/ch01_p001_v3.png', page(1), 13),
        '{"image": "output/ch-01/raw/ch01_p002_v1.png", "seed": 5, "target": {"kind": "pa\n',
        manifestLine('output/ch-01/raw/ch01_p001_v3.png', page(2), 23),
        manifestLine('output/spyke/raw/spyke_v1.png', { kind: 'free', subject: 'spyke' }, 99),
      ].join(''),
    });
    const model = deriveStudioModel(files, documents);
    assert.deepEqual(model.assets.map((a) => [a.path, a.panel, a.seed]), [
      ['output/ch-01/raw/ch01_p001_v1.png', 1, 11],
      ['output/ch-01/raw/ch01_p001_v2.png', undefined, 12],
      ['output/ch-01/raw/ch01_p001_v3.png', 2, 23],
      ['output/ch-01/approved/ch01_p001_v3.png', 2, 23],
      ['output/ch-01/raw/ch01_p002_v1.png', undefined, undefined],
      ['output/ch-02/raw/ch02_p001_v1.png', undefined, undefined],
      ['output/dropped.png', undefined, undefined],
    ]);
    assert.deepEqual(model.problems, []);
  });

  it('reports a missing studio.json', () => {
    const { files, documents } = studio({ 'characters/a/character.md': '---\nname: A\ntrigger: a\n---\n' });
    assert.deepEqual(deriveStudioModel(files, documents).problems.map((p) => p.code), ['studio.missing']);
  });
});
