import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDocument, studioDefaults } from '../../../../src/core/studio/documents';
import { manifestEntry, manifestLine } from '../../../support/manifestEntry';

describe('parseDocument', () => {
  it('reads a character with its fields and a description from the body', () => {
    const { document, problems } = parseDocument(
      'characters/spyke/character.md',
      { role: 'character', characterId: 'spyke' },
      '---\nname: Spyke\ntrigger: spyke_plasma_v1\nclass: man\nlora: spyke.safetensors\n---\nA courier\nwith blue hair.\n',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(document, {
      kind: 'character',
      characterId: 'spyke',
      name: 'Spyke',
      trigger: 'spyke_plasma_v1',
      class: 'man',
      lora: 'spyke.safetensors',
      negative: undefined,
      description: 'A courier with blue hair.',
    });
  });

  it('keeps a broken character under its folder name and reports the problem on its line', () => {
    const { document, problems } = parseDocument('characters/x/character.md', { role: 'character', characterId: 'x' }, '---\nname: [oops\n---\n');
    assert.equal(document.kind === 'character' && document.name, 'x');
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.severity, 'error');
    assert.equal(problems[0]!.file, 'characters/x/character.md');
  });

  it('names a missing required field and warns about a missing trigger word', () => {
    const missing = parseDocument('c.md', { role: 'character', characterId: 'c' }, '---\nclass: cat\n---\n');
    assert.match(missing.problems[0]!.message, /"name" is missing/);
    const noTrigger = parseDocument('c.md', { role: 'character', characterId: 'c' }, '---\nname: C\n---\n');
    assert.deepEqual(noTrigger.problems.map((p) => [p.severity, p.code]), [['warning', 'character.no-trigger']]);
  });

  it('fills studio defaults and reports out-of-range values on their line', () => {
    const ok = parseDocument('studio.json', { role: 'studio' }, '{"name":"S","defaults":{"steps":30}}');
    assert.deepEqual(ok.document, { kind: 'studio', config: { name: 'S', defaults: { ...studioDefaults, steps: 30 }, galleryRoots: [] } });
    const bad = parseDocument('studio.json', { role: 'studio' }, '{\n"name": "S",\n"defaults": {\n"width": 513\n}\n}');
    assert.equal(bad.document.kind === 'studio' && bad.document.config, undefined);
    assert.equal(bad.problems[0]!.range.startLine, 3);
    assert.match(bad.problems[0]!.message, /defaults\.width: must be a multiple of 8/);
  });

  it('falls back to the folder for a chapter without number or title', () => {
    const { document } = parseDocument('chapters/ch-03/chapter.md', { role: 'chapter', chapterId: 'ch-03' }, '---\n---\n# The Bridge\n');
    assert.deepEqual(document, { kind: 'chapter', chapterId: 'ch-03', number: 3, title: 'The Bridge' });
  });

  it('lists the panels of a page with their titles and heading lines', () => {
    const { document } = parseDocument('p.md', { role: 'page', chapterId: 'ch-01', page: 1 }, '---\nchapter: 1\n---\n## Rooftop chase\na\n\n## \nb\n## Close-up\n');
    assert.deepEqual(document.kind === 'page' && document.panels, [
      { index: 1, title: 'Rooftop chase', line: 3 },
      { index: 2, title: 'Panel 2', line: 6 },
      { index: 3, title: 'Close-up', line: 8 },
    ]);
  });

  it('keeps the image, panel and seed of each generation-log line and skips, without a problem, lines it cannot read', () => {
    const text = [
      manifestLine('output/ch-01/raw/ch01_p001_v1.png', { kind: 'page', chapter: 1, page: 1, panel: 2 }, 101),
      'not json at all\n',
      manifestLine('output/ch-01/raw/ch01_p001_v2.png', { kind: 'page', chapter: 1, page: 1 }, 102),
      '{"image": "output/ch-01/raw/ch01_p001_v3.png", "seed": 3}\n',
      manifestLine('output/spyke/raw/spyke_v1.png', { kind: 'free', subject: 'spyke' }, 103),
      // A crash cut the last line short.
      manifestLine('output/ch-01/raw/ch01_p001_v4.png', { kind: 'page', chapter: 1, page: 1, panel: 1 }, 104).slice(0, 80),
    ].join('');
    const { document, problems } = parseDocument('output/generation-log.jsonl', { role: 'manifest' }, text);
    assert.deepEqual(problems, []);
    assert.equal(document.kind, 'manifest');
    const versions = document.kind === 'manifest' ? document.versions : [];
    assert.deepEqual(
      versions.map((v) => [v.image, v.panel, v.seed]),
      [
        ['output/ch-01/raw/ch01_p001_v1.png', 2, 101],
        ['output/ch-01/raw/ch01_p001_v2.png', undefined, 102],
        ['output/spyke/raw/spyke_v1.png', undefined, 103],
      ],
    );
    // What the gallery filters and searches on comes along.
    const first = manifestEntry('output/ch-01/raw/ch01_p001_v1.png', { kind: 'page', chapter: 1, page: 1, panel: 2 }, 101);
    assert.deepEqual(versions[0], {
      image: first.image,
      panel: 2,
      seed: 101,
      characterId: 'spyke',
      checkpoint: first.checkpoint,
      lora: 'spyke_plasma_v1',
      prompt: first.prompt,
      negative: first.negative,
      width: 512,
      height: 768,
      createdMs: Date.parse(first.createdAt),
    });
  });

  it('never throws on arbitrary input', () => {
    const roles = [
      { role: 'studio' },
      { role: 'character', characterId: 'c' },
      { role: 'consent', characterId: 'c' },
      { role: 'dataset', datasetId: 'd' },
      { role: 'chapter', chapterId: 'ch-01' },
      { role: 'page', chapterId: 'ch-01', page: 1 },
      { role: 'manifest' },
    ] as const;
    const samples = ['', '---', '---\n---', '{', '[]', 'null', '---\n: :\n---', '\u0000\uFFFF', '{"name": 3}', '---\nname: !!binary x\n---'];
    for (const role of roles) for (const text of samples) assert.doesNotThrow(() => parseDocument('f', role, text), `${role.role}: ${JSON.stringify(text)}`);
  });
});
