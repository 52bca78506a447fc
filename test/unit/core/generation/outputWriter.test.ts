import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { outputExtension, outputStem, saveOutput } from '../../../../src/core/generation/outputWriter';
import { withTempFolder } from '../../../support/tempStudio';

describe('saveOutput', () => {
  it('names page images by the convention and writes the workflow beside them', async () => {
    await withTempFolder(async (root) => {
      const saved = await saveOutput(root, { kind: 'page', chapter: 1, page: 1 }, Buffer.from('png'), '{"3":{}}');
      assert.deepEqual(saved, { image: 'output/ch-01/raw/ch01_p001_v1.png', sidecar: 'output/ch-01/raw/ch01_p001_v1.workflow.json', version: 1 });
      assert.equal(await readFile(path.join(root, saved.sidecar), 'utf8'), '{"3":{}}');
      assert.deepEqual(outputStem({ kind: 'free', subject: 'spyke' }), { folder: 'output/spyke/raw', stem: 'spyke' });
    });
  });

  it('never overwrites: takes the next version after the highest there, even one left by another tool', async () => {
    await withTempFolder(async (root) => {
      const folder = path.join(root, 'output/spyke/raw');
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, 'spyke_v3.png'), 'mine');
      const saved = await saveOutput(root, { kind: 'free', subject: 'spyke' }, Buffer.from('new'), '{}');
      assert.equal(saved.version, 4);
      assert.equal(await readFile(path.join(folder, 'spyke_v3.png'), 'utf8'), 'mine');
    });
  });

  it('gives concurrent savers distinct versions and leaves no temporary files', async () => {
    await withTempFolder(async (root) => {
      const saves = await Promise.all(Array.from({ length: 12 }, (_, i) => saveOutput(root, { kind: 'free', subject: 'x' }, Buffer.from(`image ${i}`), `{"i":${i}}`)));
      assert.deepEqual(saves.map((s) => s.version).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1));
      for (const save of saves) {
        const image = await readFile(path.join(root, save.image), 'utf8');
        const sidecar = JSON.parse(await readFile(path.join(root, save.sidecar), 'utf8')) as { i: number };
        assert.equal(image, `image ${sidecar.i}`, 'each image sits beside its own workflow');
      }
      const names = await readdir(path.join(root, 'output/x/raw'));
      assert.equal(names.filter((n) => n.endsWith('.tmp')).length, 0);
      assert.equal(names.length, 24);
    });
  });
});

describe('outputExtension', () => {
  it('keeps only an image extension of the name ComfyUI gives, so its names never place files', async () => {
    assert.equal(outputExtension('ComfyUI_00001_.png'), '.png');
    assert.equal(outputExtension('../../x.WEBP'), '.webp');
    assert.equal(outputExtension('..\\..\\evil.exe'), '.png');
    assert.equal(outputExtension('x.png/../../y'), '.png');
    await withTempFolder(async (root) => {
      const saved = await saveOutput(root, { kind: 'free', subject: '../../escape' }, Buffer.from('x'), '{}', outputExtension('../../x.png'));
      assert.equal(saved.image, 'output/-escape/raw/-escape_v1.png');
    });
  });
});
