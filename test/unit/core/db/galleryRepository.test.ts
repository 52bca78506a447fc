import assert from 'node:assert/strict';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { galleryWhere, searchWords } from '../../../../src/core/db/repositories/galleryRepository';
import type { ManifestEntry } from '../../../../src/core/generation/manifest';
import { withPngText } from '../../../../src/core/metadata/pngText';
import { manifestFile, ratingsFile } from '../../../../src/core/studio/layout';
import { StudioIndex } from '../../../../src/core/studio/studioIndex';
import { defaultGalleryFilter, type GalleryFilter } from '../../../../src/shared/protocol/gallery';
import { manifestEntry } from '../../../support/manifestEntry';
import { recordingLogger, wasmPath, withTempFolder } from '../../../support/tempStudio';

const page = (chapter: number, pageNumber: number, panel: number) => ({ kind: 'page', chapter, page: pageNumber, panel }) as const;

/** Five generated images, an approved copy, an upscaled copy and one image dropped in by another tool. */
const lines: ManifestEntry[] = [
  { ...manifestEntry('output/ch-01/raw/ch01_p001_v1.png', page(1, 1, 1), 11), createdAt: '2026-11-01T10:00:00', prompt: 'spyke on a neon rooftop, rain' },
  { ...manifestEntry('output/ch-01/raw/ch01_p001_v2.png', page(1, 1, 2), 5), createdAt: '2026-11-02T10:00:00', prompt: 'spyke jumping, 100% speed_lines' },
  {
    ...manifestEntry('output/ch-01/raw/ch01_p002_v1.png', page(1, 2, 1), 40),
    createdAt: '2026-11-03T10:00:00',
    character: 'mira',
    lora: { name: 'mira_v2.safetensors', strength: 0.7 },
    prompt: 'mira reading in a quiet library',
    negative: 'blurry',
  },
  { ...manifestEntry('output/ch-02/raw/ch02_p001_v1.png', page(2, 1, 1), 7), createdAt: '2026-11-04T10:00:00', checkpoint: 'other.safetensors', lora: null, prompt: 'city skyline at dawn' },
  { ...manifestEntry('output/ch-02/raw/ch02_p001_v2.png', page(2, 1, 1), 8), createdAt: '2026-11-05T10:00:00', prompt: 'city skyline at dusk' },
];

/** A PNG as ComfyUI saves it: its API graph in a `prompt` text chunk. */
const comfyPng = withPngText(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64'), [
  {
    keyword: 'prompt',
    text: JSON.stringify({
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'dreamshaper_8.safetensors' } },
      '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse in a storm', clip: ['4', 1] } },
      '7': { class_type: 'CLIPTextEncode', inputs: { text: 'lowres', clip: ['4', 1] } },
      '3': { class_type: 'KSampler', inputs: { seed: 99, steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0] } },
    }),
  },
]);

async function galleryStudio(root: string): Promise<StudioIndex> {
  const files: Record<string, string | Buffer> = {
    'studio.json': '{"name":"S"}',
    'characters/spyke/character.md': '---\nname: Spyke\ntrigger: spyke_plasma_v1\n---\n',
    'characters/mira/character.md': '---\nname: Mira\ntrigger: mira_v2\n---\n',
    'chapters/ch-01/chapter.md': '---\ntitle: Neon Run\n---\n',
    [manifestFile]: lines.map((line) => `${JSON.stringify(line)}\n`).join(''),
    [ratingsFile]: JSON.stringify({ ratings: { 'output/ch-01/raw/ch01_p002_v1.png': 5, 'output/ch-02/raw/ch02_p001_v1.png': 3 } }),
    'output/ch-01/approved/ch01_p001_v2.png': '',
    'output/ch-02/upscaled/ch02_p001_v2.png': '',
    'output/ComfyUI_00001_.png': comfyPng,
  };
  for (const line of lines) files[line.image] = '';
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  // Copies and images from elsewhere are dated by their files.
  await utimes(path.join(root, 'output/ch-02/upscaled/ch02_p001_v2.png'), new Date('2026-11-06T10:00:00'), new Date('2026-11-06T10:00:00'));
  await utimes(path.join(root, 'output/ComfyUI_00001_.png'), new Date('2026-11-07T10:00:00'), new Date('2026-11-07T10:00:00'));
  return StudioIndex.open({ root, wasmPath, logger: recordingLogger(), saveDelayMs: 0 });
}

const names = (index: StudioIndex, filter: Partial<GalleryFilter>): string[] =>
  index.gallery.list({ ...defaultGalleryFilter, ...filter }, 0, 100).map((asset) => path.posix.basename(path.posix.dirname(asset.path)) + '/' + path.posix.basename(asset.path));

describe('GalleryRepository', () => {
  it('lists every image once, newest first, an approved copy folded into its raw version', async () => {
    await withTempFolder(async (root) => {
      const index = await galleryStudio(root);
      const all = names(index, {});
      // The dropped image has no log line: its time is its file's.
      assert.equal(all[0], 'output/ComfyUI_00001_.png');
      assert.deepEqual(all.slice(1), [
        'upscaled/ch02_p001_v2.png',
        'raw/ch02_p001_v2.png',
        'raw/ch02_p001_v1.png',
        'raw/ch01_p002_v1.png',
        'raw/ch01_p001_v2.png',
        'raw/ch01_p001_v1.png',
      ]);
      const approved = index.assets.get('output/ch-01/raw/ch01_p001_v2.png')!;
      assert.equal(approved.approved, true);
      assert.equal(index.assets.get('output/ch-01/approved/ch01_p001_v2.png')?.listed, false);
      // Its parameters come from its own text chunk.
      const dropped = index.assets.get('output/ComfyUI_00001_.png');
      assert.deepEqual([dropped?.source, dropped?.seed, dropped?.checkpoint, dropped?.prompt], ['comfyui', 99, 'dreamshaper_8.safetensors', 'a lighthouse in a storm']);
      assert.equal(approved.source, 'studionova');
      await index.close();
    });
  });

  it('filters by character, chapter and page, LoRA, checkpoint, approval, upscaling and days', async () => {
    await withTempFolder(async (root) => {
      const index = await galleryStudio(root);
      assert.deepEqual(names(index, { character: 'mira' }), ['raw/ch01_p002_v1.png']);
      assert.deepEqual(names(index, { chapter: 'ch-01', page: 1 }), ['raw/ch01_p001_v2.png', 'raw/ch01_p001_v1.png']);
      assert.deepEqual(names(index, { lora: 'mira_v2' }), ['raw/ch01_p002_v1.png']);
      assert.deepEqual(names(index, { checkpoint: 'other.safetensors' }), ['raw/ch02_p001_v1.png']);
      assert.deepEqual(names(index, { checkpoint: 'dreamshaper_8.safetensors' }), ['output/ComfyUI_00001_.png']);
      assert.deepEqual(names(index, { approved: true }), ['raw/ch01_p001_v2.png']);
      assert.deepEqual(names(index, { upscaled: true }), ['upscaled/ch02_p001_v2.png']);
      assert.equal(names(index, { upscaled: false }).length, 6);
      assert.deepEqual(names(index, { from: '2026-11-02', to: '2026-11-03' }), ['raw/ch01_p002_v1.png', 'raw/ch01_p001_v2.png']);
      assert.deepEqual(names(index, { character: 'spyke', chapter: 'ch-02', approved: true }), []);
      await index.close();
    });
  });

  it('searches prompts, negative prompts and file names for every word, treating % and _ literally', async () => {
    await withTempFolder(async (root) => {
      const index = await galleryStudio(root);
      // The upscaled copy was made from the same prompt.
      assert.deepEqual(names(index, { text: 'SKYLINE dusk' }), ['upscaled/ch02_p001_v2.png', 'raw/ch02_p001_v2.png']);
      assert.deepEqual(names(index, { text: 'blurry' }), ['raw/ch01_p002_v1.png']);
      assert.deepEqual(names(index, { text: 'ComfyUI' }), ['output/ComfyUI_00001_.png']);
      assert.deepEqual(names(index, { text: 'lighthouse storm' }), ['output/ComfyUI_00001_.png']);
      assert.deepEqual(names(index, { text: '100%' }), ['raw/ch01_p001_v2.png']);
      assert.deepEqual(names(index, { text: 'speed_lines' }), ['raw/ch01_p001_v2.png']);
      assert.deepEqual(names(index, { text: 'speedxlines' }), []);
      assert.deepEqual(names(index, { text: '"neon rooftop"' }), ['raw/ch01_p001_v1.png']);
      assert.deepEqual(names(index, { text: '"rooftop neon"' }), []);
      await index.close();
    });
  });

  it('sorts by seed (lowest first, unknown last) and by rating (best first)', async () => {
    await withTempFolder(async (root) => {
      const index = await galleryStudio(root);
      const seeds = index.gallery.list({ sort: 'seed' }, 0, 100).map((a) => a.seed);
      assert.deepEqual(seeds, [5, 7, 8, 8, 11, 40, 99]);
      const rated = index.gallery.list({ sort: 'rating' }, 0, 3).map((a) => [path.posix.basename(a.path), a.rating]);
      assert.deepEqual(rated, [['ch01_p002_v1.png', 5], ['ch02_p001_v1.png', 3], ['ComfyUI_00001_.png', 0]]);
      // Unknown seeds sort last.
      await writeFile(path.join(root, 'output/unknown.jpg'), '');
      await index.refresh();
      assert.equal(index.gallery.list({ sort: 'seed' }, 0, 100).at(-1)?.path, 'output/unknown.jpg');
      await index.close();
    });
  });

  it('pages through the order and finds where an image is in it', async () => {
    await withTempFolder(async (root) => {
      const index = await galleryStudio(root);
      const all = index.gallery.list(defaultGalleryFilter, 0, 100).map((a) => a.path);
      const pages = [0, 3, 6].flatMap((offset) => index.gallery.list(defaultGalleryFilter, offset, 3).map((a) => a.path));
      assert.deepEqual(pages, all);
      assert.equal(index.gallery.position(defaultGalleryFilter, all[4]!), 4);
      assert.equal(index.gallery.position({ sort: 'date', character: 'mira' }, 'output/ch-01/raw/ch01_p002_v1.png'), 0);
      assert.equal(index.gallery.position({ sort: 'date', character: 'mira' }, all[0]!), -1);
      assert.equal(index.gallery.count({ sort: 'date', chapter: 'ch-02' }), 3);
      await index.close();
    });
  });

  it('counts each choice of the filter bar under every other filter', async () => {
    await withTempFolder(async (root) => {
      const index = await galleryStudio(root);
      const summary = index.gallery.summary({ sort: 'date', chapter: 'ch-01', character: 'spyke' });
      assert.equal(summary.total, 7);
      assert.equal(summary.matching, 2);
      // Characters are counted within chapter 1, whatever character is chosen.
      assert.deepEqual(summary.characters, [
        { value: 'spyke', label: 'Spyke', count: 2 },
        { value: 'mira', label: 'Mira', count: 1 },
      ]);
      // Chapters are counted for Spyke, whatever chapter is chosen; chapter 2 has no chapter.md, so its id is its label.
      assert.deepEqual(summary.chapters, [
        { value: 'ch-02', label: 'ch-02', count: 3 },
        { value: 'ch-01', label: 'Chapter 1: Neon Run', count: 2 },
      ]);
      assert.deepEqual(summary.pages, [{ value: '1', label: 'Page 1', count: 2 }]);
      assert.deepEqual(summary.loras, [{ value: 'spyke_plasma_v1', label: 'spyke_plasma_v1', count: 2 }]);
      assert.equal(summary.approved, 1);
      assert.equal(summary.upscaled, 0);
      assert.deepEqual(index.gallery.summary(defaultGalleryFilter).pages, []);
      // A search alongside the LoRA counts, whose join has columns of the same names.
      const searched = index.gallery.summary({ sort: 'date', text: 'library' });
      assert.equal(searched.matching, 1);
      assert.deepEqual(searched.loras, [{ value: 'mira_v2', label: 'mira_v2', count: 1 }]);
      await index.close();
    });
  });
});

describe('galleryWhere', () => {
  it('leaves out the one narrowing whose own choices are being counted', () => {
    const filter: GalleryFilter = { sort: 'date', character: 'a', lora: 'b' };
    assert.deepEqual(galleryWhere(filter, 'character').params, ['b']);
    assert.deepEqual(galleryWhere(filter).params, ['a', 'b']);
  });

  it('splits a search into words, keeping quoted phrases whole', () => {
    assert.deepEqual(searchWords('  red "blue sky"  cat '), ['red', 'blue sky', 'cat']);
    assert.deepEqual(searchWords(undefined), []);
  });
});
