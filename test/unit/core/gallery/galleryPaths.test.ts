import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { galleryFolders, resolveGalleryImage } from '../../../../src/core/gallery/galleryPaths';

const root = path.resolve('/studios/neon');
const known = new Set(['output/ch-01/raw/ch01_p001_v1.png', '../ComfyUI/output/ComfyUI_00001_.png', '../elsewhere/x.png', 'output/../../secret.png']);
const isKnown = (p: string): boolean => known.has(p);
const resolve = (p: string, roots: string[] = ['../ComfyUI/output']): string => resolveGalleryImage(root, roots, p, isKnown);

describe('resolveGalleryImage', () => {
  it('resolves an image of the studio and one of a gallery root beside it', () => {
    assert.equal(resolve('output/ch-01/raw/ch01_p001_v1.png'), path.join(root, 'output/ch-01/raw/ch01_p001_v1.png'));
    assert.equal(resolve('../ComfyUI/output/ComfyUI_00001_.png'), path.resolve(root, '../ComfyUI/output/ComfyUI_00001_.png'));
  });

  it('refuses absolute paths, drive letters and NUL bytes before anything else', () => {
    assert.throws(() => resolve('/etc/passwd'), /Refused the path "\/etc\/passwd"/);
    assert.throws(() => resolve('C:/Windows/win.ini'), /Refused/);
    assert.throws(() => resolve('output/a.png\0.txt'), /Refused/);
    assert.throws(() => resolve(''), /Refused/);
  });

  it('refuses a path that climbs out of the studio and its roots, even one the index were to know', () => {
    assert.throws(() => resolve('output/../../secret.png'), /outside the studio and its gallery roots/);
    assert.throws(() => resolve('../elsewhere/x.png'), /outside the studio and its gallery roots/);
    // Once its folder is a gallery root, it is allowed.
    assert.equal(resolve('../elsewhere/x.png', ['../elsewhere']), path.resolve(root, '../elsewhere/x.png'));
  });

  it('refuses a path inside the studio that is not an image of the gallery', () => {
    assert.throws(() => resolve('studio.json'), /not an image of this studio's gallery/);
    assert.throws(() => resolve('output/ch-01/raw/ch01_p001_v9.png'), /not an image/);
  });
});

describe('galleryFolders', () => {
  it('gives the webview the output folder, the thumbnails and each root, and nothing else of the studio', () => {
    assert.deepEqual(galleryFolders(root, '/cache/thumbs', ['../ComfyUI/output', '/mnt/archive']), [
      path.join(root, 'output'),
      '/cache/thumbs',
      path.resolve(root, '../ComfyUI/output'),
      path.resolve('/mnt/archive'),
    ]);
  });
});
