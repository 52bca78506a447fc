import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveStudioModel } from '../../../../src/core/studio/derive';
import { type DocumentResult, parseDocument } from '../../../../src/core/studio/documents';
import { classifyStudioPath } from '../../../../src/core/studio/layout';
import type { StudioFile } from '../../../../src/core/studio/scanner';

/** Builds the inputs of deriveStudioModel from a map of path → text (or null for binary files). */
function studio(files: Record<string, string | null>): { files: StudioFile[]; documents: Map<string, DocumentResult> } {
  const list: StudioFile[] = [];
  const documents = new Map<string, DocumentResult>();
  for (const [path, text] of Object.entries(files)) {
    const role = classifyStudioPath(path)!;
    list.push({ path, role, size: text?.length ?? 100, mtimeMs: 1 });
    if (text !== null && ['studio', 'character', 'consent', 'dataset', 'chapter', 'page'].includes(role.role)) {
      documents.set(path, parseDocument(path, role as Parameters<typeof parseDocument>[1], text));
    }
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

  it('reports a missing studio.json', () => {
    const { files, documents } = studio({ 'characters/a/character.md': '---\nname: A\ntrigger: a\n---\n' });
    assert.deepEqual(deriveStudioModel(files, documents).problems.map((p) => p.code), ['studio.missing']);
  });
});
