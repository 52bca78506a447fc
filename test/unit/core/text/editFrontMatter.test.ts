import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFrontMatterField } from '../../../../src/core/text/editFrontMatter';
import { AppError } from '../../../../src/core/util/errors';

const character = '---\nname: Spyke # the hero\ntrigger: spyke_plasma_v1\nclass: woman\n---\n\nNotes stay.\n';

test('a new field is added, and comments, order and the body are kept', () => {
  const text = setFrontMatterField(character, 'character.md', 'lora', 'spyke_plasma_v2');
  assert.equal(text, '---\nname: Spyke # the hero\ntrigger: spyke_plasma_v1\nclass: woman\nlora: spyke_plasma_v2\n---\n\nNotes stay.\n');
});

test('an existing field is replaced in place', () => {
  const text = setFrontMatterField(character.replace('class: woman', 'lora: old\nclass: woman'), 'character.md', 'lora', 'new');
  assert.match(text, /trigger: spyke_plasma_v1\nlora: new\nclass: woman\n---/);
});

test('a file without front matter, or with broken YAML, is refused with what to do', () => {
  assert.throws(() => setFrontMatterField('Just notes.\n', 'character.md', 'lora', 'x'), (e: unknown) => e instanceof AppError && /no front matter/.test(e.userMessage));
  assert.throws(() => setFrontMatterField('---\nname: [\n---\n', 'character.md', 'lora', 'x'), (e: unknown) => e instanceof AppError && /not valid YAML/.test(e.userMessage));
});
