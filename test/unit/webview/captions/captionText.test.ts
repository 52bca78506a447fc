import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendTags, moveTagTo, removeTagAt, replaceTagAt } from '../../../../webview/captions/captionText';

test('a chip edited in place replaces its tag; blank removes it; commas make several', () => {
  assert.equal(replaceTagAt('a, b, c', 1, 'B'), 'a, B, c');
  assert.equal(replaceTagAt('a, b, c', 1, '  '), 'a, c');
  assert.equal(replaceTagAt('a, b, c', 1, 'x, y'), 'a, x, y, c');
  assert.equal(replaceTagAt('a, b', 5, 'z'), 'a, b');
  assert.equal(removeTagAt('a,b ,c', 0), 'b, c');
});

test('chips move within the caption; a move to the same place keeps the text as it was', () => {
  assert.equal(moveTagTo('a, b, c', 0, 2), 'b, c, a');
  assert.equal(moveTagTo('a,b,c', 1, 1), 'a,b,c');
});

test('added tags go at the end, those already there (any case) are skipped', () => {
  assert.equal(appendTags('a, b', 'c'), 'a, b, c');
  assert.equal(appendTags('a, b', 'B, d'), 'a, b, d');
  assert.equal(appendTags('', 'solo'), 'solo');
  assert.equal(appendTags('a,b', 'A'), 'a,b');
});
