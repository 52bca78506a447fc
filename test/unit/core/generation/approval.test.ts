import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { approve, unapprove } from '../../../../src/core/generation/approval';
import { versionPaths } from '../../../../src/core/generation/versionPaths';
import { InvalidInputError } from '../../../../src/core/util/errors';
import { withTempFolder } from '../../../support/tempStudio';

const raw = (version: number): string => `output/ch-01/raw/ch01_p001_v${version}.png`;
const approved = (version: number): string => `output/ch-01/approved/ch01_p001_v${version}.png`;
const sidecar = (image: string): string => image.replace(/\.png$/, '.workflow.json');

/** Raw versions 1 to `count` of page 1, each image and sidecar with its own bytes. */
async function rawVersions(root: string, count: number, withSidecars = true): Promise<void> {
  await mkdir(path.join(root, 'output/ch-01/raw'), { recursive: true });
  for (let version = 1; version <= count; version++) {
    await writeFile(path.join(root, raw(version)), `png bytes of v${version}`);
    if (withSidecars) await writeFile(path.join(root, sidecar(raw(version))), `{"3":{"inputs":{"seed":${version}}}}`);
  }
}

const read = (root: string, file: string): Promise<string> => readFile(path.join(root, file), 'utf8');
const approvedFolder = async (root: string): Promise<string[]> => (await readdir(path.join(root, 'output/ch-01/approved')).catch(() => [])).sort();

describe('approve', () => {
  it('copies the image and its workflow into approved/, as files of their own', async () => {
    await withTempFolder(async (root) => {
      await rawVersions(root, 3);
      assert.deepEqual(await approve(root, raw(3), []), { kind: 'approved', approved: approved(3), removed: [] });
      assert.equal(await read(root, approved(3)), 'png bytes of v3');
      assert.equal(await read(root, sidecar(approved(3))), '{"3":{"inputs":{"seed":3}}}');
      assert.deepEqual(await approvedFolder(root), ['ch01_p001_v3.png', 'ch01_p001_v3.workflow.json'], 'no temporary file is left');
      await writeFile(path.join(root, approved(3)), 'retouched');
      assert.equal(await read(root, raw(3)), 'png bytes of v3', 'retouching the approved copy leaves the raw image as generated');
    });
  });

  it('copies the image alone when it has no workflow beside it', async () => {
    await withTempFolder(async (root) => {
      await rawVersions(root, 1, false);
      assert.equal((await approve(root, raw(1), [])).kind, 'approved');
      assert.deepEqual(await approvedFolder(root), ['ch01_p001_v1.png']);
    });
  });

  it('approving the same version twice changes nothing the second time, from either path', async () => {
    await withTempFolder(async (root) => {
      await rawVersions(root, 2);
      await approve(root, raw(2), []);
      assert.deepEqual(await approve(root, raw(2), [approved(2)]), { kind: 'unchanged', approved: approved(2), removed: [] });
      assert.deepEqual(await approve(root, approved(2), [approved(2)]), { kind: 'unchanged', approved: approved(2), removed: [] });
      assert.deepEqual(await approvedFolder(root), ['ch01_p001_v2.png', 'ch01_p001_v2.workflow.json']);
    });
  });

  it('keeps one approved version per panel: the previous copy, still identical, is removed with its sidecar', async () => {
    await withTempFolder(async (root) => {
      await rawVersions(root, 3);
      await approve(root, raw(1), []);
      const result = await approve(root, raw(3), [approved(1)]);
      assert.deepEqual(result, { kind: 'approved', approved: approved(3), removed: [approved(1), sidecar(approved(1))] });
      assert.deepEqual(await approvedFolder(root), ['ch01_p001_v3.png', 'ch01_p001_v3.workflow.json']);
      assert.equal(await read(root, raw(1)), 'png bytes of v1', 'the raw image stays');
    });
  });

  it('changes nothing when a previous copy was retouched, and lists it with its sidecar', async () => {
    await withTempFolder(async (root) => {
      await rawVersions(root, 3);
      await approve(root, raw(1), []);
      await writeFile(path.join(root, approved(1)), 'png bytes of v1, retouched');
      const before = await approvedFolder(root);
      assert.deepEqual(await approve(root, raw(3), [approved(1)]), { kind: 'edited', edited: [approved(1), sidecar(approved(1))] });
      assert.deepEqual(await approvedFolder(root), before);
      assert.equal(await read(root, approved(1)), 'png bytes of v1, retouched');
    });
  });

  it('treats a previous copy whose raw file is gone, or whose sidecar was changed, as edited', async () => {
    await withTempFolder(async (root) => {
      await rawVersions(root, 3);
      await approve(root, raw(1), []);
      await rm(path.join(root, raw(1)));
      assert.deepEqual(await approve(root, raw(3), [approved(1)]), { kind: 'edited', edited: [approved(1), sidecar(approved(1))] });
      await approve(root, raw(2), []);
      await writeFile(path.join(root, sidecar(approved(2))), '{}');
      assert.deepEqual(await approve(root, raw(3), [approved(2)]), { kind: 'edited', edited: [approved(2), sidecar(approved(2))] });
      assert.deepEqual(await approvedFolder(root), ['ch01_p001_v1.png', 'ch01_p001_v1.workflow.json', 'ch01_p001_v2.png', 'ch01_p001_v2.workflow.json']);
    });
  });

  it('never overwrites a retouched copy of the version being approved', async () => {
    await withTempFolder(async (root) => {
      await rawVersions(root, 1);
      await approve(root, raw(1), []);
      await writeFile(path.join(root, approved(1)), 'retouched');
      assert.deepEqual(await approve(root, raw(1), [approved(1)]), { kind: 'edited', edited: [approved(1), sidecar(approved(1))] });
      assert.equal(await read(root, approved(1)), 'retouched');
    });
  });

  it('refuses paths outside output/, names that are not generated versions, and a missing raw image', async () => {
    await withTempFolder(async (root) => {
      await rawVersions(root, 1);
      const refused = async (promise: Promise<unknown>, message: RegExp): Promise<void> =>
        assert.rejects(promise, (error: unknown) => {
          assert.ok(error instanceof InvalidInputError);
          assert.match(error.userMessage, message);
          return true;
        });
      await refused(approve(root, 'chapters/ch-01/p001.page.md', []), /outside the studio's output folder/);
      await refused(approve(root, '../output/ch-01/raw/ch01_p001_v1.png', []), /outside the studio's output folder/);
      await refused(approve(root, 'output/../ch-01/raw/ch01_p001_v1.png', []), /not a generated version of a page/);
      await refused(approve(root, 'output/ch-01/raw/cover.png', []), /not a generated version of a page/);
      await refused(approve(root, 'output/ch-02/raw/ch01_p001_v1.png', []), /not a generated version of a page/);
      await refused(approve(root, 'output/ch-01/upscaled/ch01_p001_v1.png', []), /not a generated version of a page/);
      await refused(approve(root, raw(1), ['output/ch-01/approved/ch01_p002_v1.png']), /not an approved copy from the page/);
      await refused(approve(root, raw(1), [raw(1)]), /not an approved copy from the page/);
      await refused(approve(root, raw(9), []), /ch01_p001_v9\.png is gone/);
      assert.deepEqual(await approvedFolder(root), []);
    });
  });
});

describe('unapprove', () => {
  it('removes an approved copy that is still identical, with its sidecar', async () => {
    await withTempFolder(async (root) => {
      await rawVersions(root, 1);
      await approve(root, raw(1), []);
      assert.deepEqual(await unapprove(root, approved(1)), { kind: 'removed', removed: [approved(1), sidecar(approved(1))] });
      assert.deepEqual(await approvedFolder(root), []);
      assert.equal(await read(root, raw(1)), 'png bytes of v1');
    });
  });

  it('leaves a retouched copy alone and says so; refuses a raw path', async () => {
    await withTempFolder(async (root) => {
      await rawVersions(root, 1);
      await approve(root, raw(1), []);
      await writeFile(path.join(root, approved(1)), 'retouched');
      assert.deepEqual(await unapprove(root, approved(1)), { kind: 'edited', edited: [approved(1), sidecar(approved(1))] });
      assert.equal(await read(root, approved(1)), 'retouched');
      await assert.rejects(unapprove(root, raw(1)), InvalidInputError);
      assert.equal(await read(root, raw(1)), 'png bytes of v1');
    });
  });
});

describe('versionPaths', () => {
  it('gives the raw and approved paths of a version from either', () => {
    const expected = { stage: 'approved', raw: raw(3), approved: approved(3), chapter: 1, page: 1, version: 3 };
    assert.deepEqual(versionPaths(approved(3)), expected);
    assert.deepEqual(versionPaths(raw(3)), { ...expected, stage: 'raw' });
  });
});
