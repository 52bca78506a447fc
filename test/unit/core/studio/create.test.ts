import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  attachTrainingImages,
  createChapter,
  createCharacter,
  createPage,
  createStudio,
  recordConsent,
  suggestId,
  suggestTrigger,
} from '../../../../src/core/studio/create';
import { parseDocument } from '../../../../src/core/studio/documents';
import { AlreadyExistsError, InvalidInputError } from '../../../../src/core/util/errors';
import { withTempFolder } from '../../../support/tempStudio';

describe('createStudio', () => {
  it('creates studio.json, the folders, a sample character and a sample chapter with a page', async () => {
    await withTempFolder(async (root) => {
      const result = await createStudio(root, 'My Manga');
      assert.equal(result.alreadyStudio, false);
      assert.deepEqual(result.created.sort(), [
        '.gitignore',
        'chapters/ch-01/chapter.md',
        'chapters/ch-01/p001.page.md',
        'characters/spyke/character.md',
        'studio.json',
      ]);
      assert.equal(JSON.parse(await readFile(path.join(root, 'studio.json'), 'utf8')).name, 'My Manga');
      for (const folder of ['characters', 'datasets', 'chapters', 'workflows', 'output', 'training']) {
        await readdir(path.join(root, folder));
      }
      const character = parseDocument('c', { role: 'character', characterId: 'spyke' }, await readFile(path.join(root, 'characters/spyke/character.md'), 'utf8'));
      assert.deepEqual(character.problems, []);
    });
  });

  it('says so and changes nothing in a folder that is already a studio', async () => {
    await withTempFolder(async (root) => {
      await writeFile(path.join(root, 'studio.json'), '{"name":"Mine"}');
      assert.deepEqual(await createStudio(root, 'Other'), { alreadyStudio: true, created: [] });
      assert.equal(await readFile(path.join(root, 'studio.json'), 'utf8'), '{"name":"Mine"}');
    });
  });

  it('never overwrites a file the user already has', async () => {
    await withTempFolder(async (root) => {
      await writeFile(path.join(root, '.gitignore'), 'node_modules/\n');
      await mkdir(path.join(root, 'chapters/ch-01'), { recursive: true });
      await writeFile(path.join(root, 'chapters/ch-01/notes.md'), 'mine');
      const result = await createStudio(root, 'S');
      assert.equal(await readFile(path.join(root, '.gitignore'), 'utf8'), 'node_modules/\n');
      assert.ok(!result.created.includes('chapters/ch-01/chapter.md'), 'an existing chapter folder is left alone');
      assert.equal(await readFile(path.join(root, 'chapters/ch-01/notes.md'), 'utf8'), 'mine');
    });
  });
});

describe('createCharacter', () => {
  it('suggests an id and a trigger word from the name', () => {
    assert.equal(suggestId('  Mira Vale! '), 'mira-vale');
    assert.equal(suggestId('Zoë Ümlaut'), 'zoe-umlaut');
    assert.equal(suggestTrigger('mira-vale'), 'mira_vale_v1');
  });

  it('writes character.md with YAML that reads back exactly, even with awkward names', async () => {
    await withTempFolder(async (root) => {
      const file = await createCharacter(root, { id: 'mira', name: 'Mira: "the fox"', trigger: 'mira_v1', class: 'woman', description: 'Red coat' });
      assert.equal(file, 'characters/mira/character.md');
      const { document, problems } = parseDocument(file, { role: 'character', characterId: 'mira' }, await readFile(path.join(root, file), 'utf8'));
      assert.deepEqual(problems, []);
      assert.equal(document.kind === 'character' && document.name, 'Mira: "the fox"');
    });
  });

  it('refuses a taken id, a bad id and a trigger with spaces, and overwrites nothing', async () => {
    await withTempFolder(async (root) => {
      await createCharacter(root, { id: 'mira', name: 'Mira', trigger: 'mira_v1', class: 'woman' });
      await assert.rejects(createCharacter(root, { id: 'mira', name: 'Other', trigger: 'x', class: 'y' }), AlreadyExistsError);
      await assert.rejects(createCharacter(root, { id: 'Bad Id', name: 'B', trigger: 'b', class: 'y' }), InvalidInputError);
      await assert.rejects(createCharacter(root, { id: 'ok', name: 'B', trigger: 'two words', class: 'y' }), InvalidInputError);
      assert.match(await readFile(path.join(root, 'characters/mira/character.md'), 'utf8'), /name: Mira\n/);
    });
  });
});

describe('createChapter and createPage', () => {
  it('numbers chapters and pages after the existing ones', async () => {
    await withTempFolder(async (root) => {
      await createStudio(root, 'S');
      assert.equal(await createChapter(root, 'The Bridge'), 'chapters/ch-02/chapter.md');
      assert.equal(await createPage(root, 'ch-02'), 'chapters/ch-02/p002.page.md');
      assert.equal(await createPage(root, 'ch-01', { id: 'spyke', trigger: 'spyke_plasma_v1' }), 'chapters/ch-01/p002.page.md');
      assert.match(await readFile(path.join(root, 'chapters/ch-01/p002.page.md'), 'utf8'), /^spyke_plasma_v1, /m);
      await assert.rejects(createChapter(root, '  '), InvalidInputError);
    });
  });
});

describe('training images', () => {
  it('records the responsible-use confirmation with its time', async () => {
    await withTempFolder(async (root) => {
      await recordConsent(root, 'mira', new Date('2026-01-02T03:04:05Z'));
      const consent = parseDocument('c', { role: 'consent', characterId: 'mira' }, await readFile(path.join(root, 'characters/mira/consent.json'), 'utf8'));
      assert.deepEqual(consent, { document: { kind: 'consent', characterId: 'mira', confirmedAt: '2026-01-02T03:04:05.000Z' }, problems: [] });
    });
  });

  it('copies images into the dataset without overwriting, and creates dataset.json once', async () => {
    await withTempFolder(async (root) => {
      const source = path.join(root, 'in');
      await mkdir(source);
      await writeFile(path.join(source, 'a.png'), 'first');
      const first = await attachTrainingImages(root, { id: 'mira', trigger: 'mira_v1' }, [path.join(source, 'a.png')]);
      await writeFile(path.join(source, 'a.png'), 'second');
      const second = await attachTrainingImages(root, { id: 'mira', trigger: 'mira_v1' }, [path.join(source, 'a.png')]);
      assert.deepEqual([first, second], [['datasets/mira/a.png'], ['datasets/mira/a-2.png']]);
      assert.equal(await readFile(path.join(root, 'datasets/mira/a.png'), 'utf8'), 'first');
      assert.equal(JSON.parse(await readFile(path.join(root, 'datasets/mira/dataset.json'), 'utf8')).trigger, 'mira_v1');
      await assert.rejects(attachTrainingImages(root, { id: 'mira', trigger: undefined }, [path.join(source, 'notes.txt')]), InvalidInputError);
    });
  });
});
