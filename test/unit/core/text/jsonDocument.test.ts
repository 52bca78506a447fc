import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonDocument } from '../../../../src/core/text/jsonDocument';

describe('parseJsonDocument', () => {
  it('reports a syntax error with its line and column', () => {
    const result = parseJsonDocument('studio.json', '{\n  "name": "x"\n  "defaults": {}\n}\n');
    assert.equal(result.data, undefined);
    assert.equal(result.problems[0]!.code, 'json.syntax');
    assert.match(result.problems[0]!.message, /comma expected/);
    assert.deepEqual([result.problems[0]!.range.startLine, result.problems[0]!.range.startColumn], [2, 2]);
  });

  it('locates a nested property, or its nearest existing parent', () => {
    const result = parseJsonDocument('studio.json', '{\n  "defaults": {\n    "width": 500\n  }\n}');
    assert.deepEqual(result.data, { defaults: { width: 500 } });
    assert.equal(result.locate(['defaults', 'width']).startLine, 2);
    assert.equal(result.locate(['defaults', 'height']).startLine, 1);
  });

  it('refuses comments and trailing commas, as JSON.parse would', () => {
    assert.equal(parseJsonDocument('a.json', '{ "a": 1, }').data, undefined);
    assert.equal(parseJsonDocument('a.json', '// x\n{}').data, undefined);
  });
});
