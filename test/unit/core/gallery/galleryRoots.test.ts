import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { addGalleryRoot } from '../../../../src/core/gallery/galleryRoots';
import { StudioIndex } from '../../../../src/core/studio/studioIndex';
import { recordingLogger, wasmPath, withTempFolder } from '../../../support/tempStudio';

describe('gallery roots', () => {
  it('adds folders to studio.json, relative inside the studio, keeping its comments, once each', async () => {
    await withTempFolder(async (dir) => {
      const root = path.join(dir, 'studio');
      await mkdir(root);
      await writeFile(path.join(root, 'studio.json'), '{\n  // my studio\n  "name": "S"\n}\n');
      assert.equal(await addGalleryRoot(root, path.join(root, 'imports')), true);
      assert.equal(await addGalleryRoot(root, path.join(dir, 'ComfyUI', 'output')), true);
      assert.equal(await addGalleryRoot(root, path.join(root, 'imports')), false);
      const text = await readFile(path.join(root, 'studio.json'), 'utf8');
      assert.match(text, /\/\/ my studio/);
      const roots = (JSON.parse(text.replace(/\/\/.*\n/, '')) as { gallery: { roots: string[] } }).gallery.roots;
      assert.deepEqual(roots, ['imports', path.join(dir, 'ComfyUI', 'output')]);
    });
  });

  it('indexes the images of a root beside the studio, by their path from it, and follows the list in studio.json', async () => {
    await withTempFolder(async (dir) => {
      const root = path.join(dir, 'studio');
      const comfy = path.join(dir, 'ComfyUI', 'output');
      await mkdir(path.join(comfy, 'batch'), { recursive: true });
      await mkdir(root);
      await writeFile(path.join(root, 'studio.json'), '{"name": "S"}');
      await writeFile(path.join(comfy, 'ComfyUI_00001_.png'), '');
      await writeFile(path.join(comfy, 'batch', 'b.webp'), '');
      await writeFile(path.join(comfy, 'notes.txt'), '');
      const index = await StudioIndex.open({ root, wasmPath, logger: recordingLogger(), saveDelayMs: 0 });
      assert.equal(index.gallery.count({ sort: 'date' }), 0);
      await addGalleryRoot(root, comfy);
      await index.refresh();
      const paths = index.gallery.list({ sort: 'date' }, 0, 10).map((a) => a.path).sort();
      assert.deepEqual(paths, ['../ComfyUI/output/ComfyUI_00001_.png', '../ComfyUI/output/batch/b.webp']);
      // A new image in the root shows up on the next refresh.
      await writeFile(path.join(comfy, 'ComfyUI_00002_.png'), '');
      await index.refresh();
      assert.equal(index.gallery.count({ sort: 'date' }), 3);
      await writeFile(path.join(root, 'studio.json'), '{"name": "S"}');
      await index.refresh();
      assert.equal(index.gallery.count({ sort: 'date' }), 0);
      await index.close();
    });
  });
});
