import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFrontMatter } from '../../../../src/core/text/frontMatter';

describe('parseFrontMatter', () => {
  it('splits YAML from the body and locates properties by line', () => {
    const text = '---\nname: Spyke\ntrigger: spyke_v1\n---\n# Spyke\n';
    const result = parseFrontMatter('c.md', text);
    assert.deepEqual(result.data, { name: 'Spyke', trigger: 'spyke_v1' });
    assert.equal(result.body, '# Spyke\n');
    assert.equal(result.bodyLine, 4);
    assert.deepEqual(result.problems, []);
    assert.equal(result.locate(['trigger']).startLine, 2);
    assert.equal(result.locate(['trigger']).startColumn, 9);
  });

  it('reports a YAML error on the line of the file where it is, not of the YAML block', () => {
    const result = parseFrontMatter('c.md', '---\nname: Spyke\nname: Again\n---\n');
    assert.equal(result.data, undefined);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0]!.code, 'front-matter.yaml');
    assert.equal(result.problems[0]!.range.startLine, 2);
  });

  it('reports a missing or unclosed fence instead of throwing', () => {
    assert.equal(parseFrontMatter('c.md', '# no front matter').problems[0]!.code, 'front-matter.missing');
    assert.equal(parseFrontMatter('c.md', '---\nname: x\n').problems[0]!.code, 'front-matter.unclosed');
    assert.equal(parseFrontMatter('c.md', '---\n- a\n- b\n---\n').problems[0]!.code, 'front-matter.not-a-mapping');
  });

  it('accepts an empty front matter and a byte-order mark', () => {
    assert.deepEqual(parseFrontMatter('c.md', '---\n---\nbody').data, {});
    assert.deepEqual(parseFrontMatter('c.md', '\uFEFF---\na: 1\n---\n').data, { a: 1 });
  });

  it('reports an alias bomb as a problem instead of throwing', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, previous] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    const result = parseFrontMatter('c.md', `---\n${levels.join('\n')}\n---\n`);
    assert.equal(result.data, undefined);
    assert.equal(result.problems[0]!.code, 'front-matter.yaml');
  });
});
