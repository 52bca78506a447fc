import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Problem } from '../../../../src/core/model/problem';
import { parsePromptFile } from '../../../../src/core/prompts/parsePromptFile';
import { fixture, samplePage, samplePagePath } from './fixtures';

const codes = (problems: readonly Problem[]): string[] => problems.map((p) => `${p.range.startLine}:${p.code}`);

describe('parsePromptFile', () => {
  it("reads the README's example page as the README describes it", () => {
    const readme = readFileSync('README.md', 'utf8');
    const example = /## Prompt files[\s\S]*?```markdown\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example, 'the README has an example page');
    const parsed = parsePromptFile('chapters/ch-01/p001.page.md', example);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.panels.map((p) => [p.title, p.prompt, p.params.seed]), [
      ['Panel 1', 'spyke_plasma_v1, full body, running through a neon alley at night, rain', 1234],
      ['Panel 2 — close-up', 'spyke_plasma_v1, close-up, grinning, looking back over his shoulder, neon reflections', 5678],
    ]);
  });

  it('reads the sample page: defaults from the front matter, one block per panel', () => {
    const parsed = parsePromptFile(samplePagePath, samplePage());
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.frontMatter.span, { startLine: 0, endLine: 9 });
    assert.deepEqual(parsed.defaults, {
      chapter: 1,
      page: 1,
      character: 'spyke',
      size: { width: 512, height: 768 },
      steps: 24,
      cfg: 7,
      sampler: 'euler_ancestral',
    });
    assert.deepEqual(
      parsed.panels.map((p) => [p.id, p.index, p.title, p.headingLine, p.range]),
      [
        ['panel-1', 1, 'Panel 1', 9, { startLine: 9, endLine: 14 }],
        ['panel-2', 2, 'Panel 2', 14, { startLine: 14, endLine: 18 }],
      ],
    );
    const [first, second] = parsed.panels;
    assert.equal(first!.prompt, 'spyke_plasma_v1, full body, running through a neon alley at night, rain');
    assert.equal(first!.params.negative, 'lowres, bad hands');
    assert.equal(first!.params.seed, 1234);
    assert.equal(first!.params.sampler, 'euler_ancestral');
    // Each value's line: the panel's own, or the front matter's for an inherited one.
    assert.deepEqual([first!.paramLines.seed, first!.paramLines.negative, first!.paramLines.size], [12, 11, 4]);
    assert.deepEqual(first!.paramRanges.seed, { startLine: 12, startColumn: 6, endLine: 12, endColumn: 10 });
    assert.equal(second!.params.seed, 5678);
    assert.equal(second!.params.negative, undefined);
    assert.equal(parsed.lineCount, 18);
    assert.equal(parsed.lines.length, 18);
  });

  it("reads notes, comments, code blocks, other headings and key spellings as the README's format section says", () => {
    const parsed = parsePromptFile('chapters/ch-01/p002.page.md', fixture('full.page.md'));
    assert.deepEqual(codes(parsed.problems), ['49:prompt.empty-panel']);
    // `title` is not a parameter: it stays in the front matter's data and sets nothing.
    assert.equal(parsed.frontMatter.data?.['title'], 'The chase');
    assert.deepEqual(
      parsed.panels.map((p) => [p.id, p.title, p.range.startLine, p.range.endLine]),
      [
        ['panel-1', 'Panel 1 — establishing', 17, 23],
        ['panel-2', 'Panel 2', 23, 43],
        ['panel-3', 'Wide shot', 43, 49],
        ['panel-4', 'Panel 4', 49, 51],
      ],
    );
    const [one, two, wide, bare] = parsed.panels;
    // Lines joined with a space; the inline comment is gone; `Seed:` and `lora-strength:` are parameters.
    assert.equal(one!.prompt, 'spyke_plasma_v1, full body, running through a neon alley at night, rain');
    assert.equal(one!.params.seed, 1234);
    assert.equal(one!.params.lora_strength, 0.6);
    assert.equal(one!.paramLines.lora_strength, 21);
    // The comment, the code block, the ### heading and the rule are not prompt text; code sets nothing.
    assert.equal(two!.prompt, 'spyke_plasma_v1, close-up, grinning');
    assert.equal(two!.params.sampler, 'dpmpp_2m');
    assert.equal(two!.paramLines.sampler, 35);
    // An empty value drops the page's default for this panel.
    assert.equal(two!.params.negative, undefined);
    assert.equal(two!.paramLines.negative, undefined);
    assert.equal(two!.params.seed, 1000);
    // The commented-out panel is gone; the next one is panel-3.
    assert.equal(wide!.prompt, 'city skyline at dawn');
    assert.deepEqual(wide!.params.size, { width: 768, height: 512 });
    assert.equal(wide!.params.count, 4);
    assert.equal(wide!.params.character, undefined);
    assert.equal(wide!.params.steps, 24);
    assert.equal(bare!.prompt, '');
    assert.deepEqual(
      [13, 15, 18, 20, 24, 28, 29, 30, 33, 34, 39, 49].map((line) => parsed.lines[line]!.kind),
      ['other', 'notes', 'prompt', 'param', 'comment', 'prompt', 'code', 'code', 'other', 'other', 'comment', 'heading'],
    );
    assert.equal(parsed.lines[1]!.kind, 'front-matter');
    // Comments are blanked with spaces, so columns still match the document.
    assert.equal(parsed.lines[19]!.text.length, fixture('full.page.md').split('\n')[19]!.length);
  });

  it('takes a file without front matter as one without defaults, not as an error', () => {
    const parsed = parsePromptFile('chapters/ch-02/p003.page.md', fixture('no-front-matter.page.md'));
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.frontMatter.data, undefined);
    assert.equal(parsed.frontMatter.span, undefined);
    // Chapter and page come from the path.
    assert.deepEqual(parsed.defaults, { chapter: 2, page: 3 });
    assert.deepEqual(
      parsed.panels.map((p) => [p.id, p.prompt, p.params.seed]),
      [
        ['panel-1', 'a quiet street', undefined],
        ['panel-2', 'a cat on a wall', 7],
      ],
    );
    assert.deepEqual(parsePromptFile('x.md', '').panels, []);
    assert.deepEqual(parsePromptFile('x.md', '').problems, []);
  });

  it('reports broken YAML on its line and still reads the panels', () => {
    const parsed = parsePromptFile('p.page.md', fixture('broken-yaml.page.md'));
    assert.equal(parsed.frontMatter.data, undefined);
    assert.ok(parsed.frontMatter.problems.length > 0);
    assert.ok(parsed.problems.every((p) => p.code === 'front-matter.yaml' && p.range.startLine >= 1 && p.range.startLine <= 3));
    assert.deepEqual(parsed.defaults, {});
    assert.equal(parsed.panels.length, 1);
    assert.equal(parsed.panels[0]!.prompt, 'spyke, waving');
  });

  it('reports front matter that is not closed before the first panel, and reads the panels', () => {
    const parsed = parsePromptFile('p.page.md', '---\ncharacter: spyke\n## Panel 1\na street\n---\n## Panel 2\na cat\n');
    assert.deepEqual(codes(parsed.problems), ['0:front-matter.unclosed']);
    assert.deepEqual(parsed.panels.map((p) => p.prompt), ['a street', 'a cat']);
    assert.equal(parsed.lines[4]!.kind, 'other');
  });

  it('reports each invalid value on its line, with what a right value looks like', () => {
    const parsed = parsePromptFile('p.page.md', fixture('invalid-values.page.md'));
    const invalid = parsed.problems.filter((p) => p.code === 'prompt.invalid-value');
    assert.deepEqual(
      invalid.map((p) => [p.range.startLine, p.message.split(' — ')[0]]),
      [
        [1, 'steps: 500'],
        [5, 'size: 500x768'],
        [6, 'cfg: 31'],
        [7, 'seed: -5'],
        [8, 'count: 65'],
        [9, 'lora_strength: 11'],
        [10, 'steps: many'],
        [11, 'size: big'],
      ],
    );
    assert.ok(invalid.every((p) => p.severity === 'error'));
    const size = invalid.find((p) => p.message.startsWith('size: 500x768'))!;
    assert.match(size.message, /width: must be a multiple of 8/);
    assert.match(size.message, /size is WIDTHxHEIGHT, e\.g\. 512x768/);
    assert.deepEqual(size.range, { startLine: 5, startColumn: 6, endLine: 5, endColumn: 13 });
    assert.match(invalid.find((p) => p.message.startsWith('seed'))!.message, /seed is a whole number from 0 to 281474976710655/);
    assert.match(invalid.find((p) => p.message.startsWith('size: big'))!.message, /must be WIDTHxHEIGHT/);
    // The front matter's value is reported at its value, in the file's own line numbers.
    assert.deepEqual(invalid[0]!.range, { startLine: 1, startColumn: 7, endLine: 1, endColumn: 10 });
    // Invalid values are left out: the panel does not quietly run with the page's value instead.
    const [panel] = parsed.panels;
    assert.deepEqual(panel!.params, {});
    assert.deepEqual(parsed.defaults, {});
  });

  it('accepts the ways people write numbers and sizes', () => {
    const parsed = parsePromptFile(
      'p.page.md',
      '---\nsteps: "30"\ncfg: 7.5\nsize: 512 × 768\nseed: 0\n---\n## Panel 1\nx\nSIZE: 768X512\ncount: 64\nlora_strength: -0.5\n',
    );
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.defaults, { steps: 30, cfg: 7.5, size: { width: 512, height: 768 }, seed: 0 });
    assert.deepEqual(parsed.panels[0]!.params.size, { width: 768, height: 512 });
    assert.equal(parsed.panels[0]!.params.lora_strength, -0.5);
  });

  it('warns about an empty panel, a parameter set twice and a key that is probably a typo', () => {
    const text = '---\nsampeler: euler\n---\n## Panel 1\nseed: 1\nseed: 2\nwidth: 512\n## Panel 2\n<!-- nothing yet -->\n';
    const parsed = parsePromptFile('p.page.md', text);
    assert.deepEqual(codes(parsed.problems), ['1:prompt.unknown-key', '4:prompt.duplicate-param', '6:prompt.unknown-key', '7:prompt.empty-panel']);
    const [typo, twice, width, empty] = parsed.problems;
    assert.match(typo!.message, /did you mean "sampler:"/);
    assert.equal(typo!.severity, 'warning');
    assert.match(twice!.message, /set again on line 6/);
    assert.equal(parsed.panels[0]!.params.seed, 2);
    assert.match(width!.message, /size: WIDTHxHEIGHT/);
    assert.equal(parsed.panels[0]!.prompt, 'width: 512');
    assert.match(empty!.message, /"Panel 2" has no prompt/);
  });

  it('points out a parameter written above the first panel, where it does nothing', () => {
    const parsed = parsePromptFile('p.page.md', 'Page notes\nsize: 512x512\n## Panel 1\na street\n');
    assert.deepEqual(codes(parsed.problems), ['1:prompt.param-in-notes']);
    assert.equal(parsed.problems[0]!.severity, 'info');
    assert.equal(parsed.panels[0]!.params.size, undefined);
  });

  it('takes chapter and page from the path and warns when the front matter says otherwise', () => {
    const parsed = parsePromptFile('chapters/ch-03/p007.page.md', '---\nchapter: 2\n---\n## Panel 1\nx\n');
    assert.deepEqual(parsed.defaults, { chapter: 2, page: 7 });
    assert.deepEqual(codes(parsed.problems), ['1:prompt.page-mismatch']);
    assert.match(parsed.problems[0]!.message, /saved as chapter 2/);
  });

  it('reads Windows line endings and a byte-order mark', () => {
    const text = `\uFEFF${samplePage().replaceAll('\n', '\r\n')}`;
    const parsed = parsePromptFile(samplePagePath, text);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.defaults.sampler, 'euler_ancestral');
    assert.equal(parsed.panels[0]!.params.negative, 'lowres, bad hands');
    assert.equal(parsed.panels[1]!.prompt, 'spyke_plasma_v1, close-up, grinning, looking back over his shoulder, neon reflections');
    assert.deepEqual(parsed.panels[0]!.paramRanges.seed, { startLine: 12, startColumn: 6, endLine: 12, endColumn: 10 });
  });

  it('reports what it cannot read in the front matter instead of throwing', () => {
    // A "billion laughs": yaml refuses to expand it, by throwing.
    const names = 'abcdefghij';
    const bomb = [`a: &a [x, x, x, x, x, x, x, x, x]`];
    for (let i = 1; i < names.length; i++) bomb.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]`);
    const parsed = parsePromptFile('p.page.md', `---\n${bomb.join('\n')}\n---\n## Panel 1\nx\n`);
    assert.deepEqual(codes(parsed.problems), ['1:front-matter.yaml']);
    assert.equal(parsed.panels[0]!.prompt, 'x');

    const list = parsePromptFile('p.page.md', '---\nsize: [512, 768]\nnegative:\n  bad: hands\n---\n## Panel 1\nx\n');
    assert.deepEqual(codes(list.problems), ['1:prompt.invalid-value', '3:prompt.invalid-value']);
    assert.match(list.problems[0]!.message, /must be a single value/);
  });

  it('ends an unclosed code block at the next panel and reports unclosed blocks and comments', () => {
    const parsed = parsePromptFile('p.page.md', '## Panel 1\na\n```\nb\n## Panel 2\nc\n<!-- cut\n## Panel 3\nd\n');
    assert.deepEqual(codes(parsed.problems), ['2:prompt.unclosed-fence', '6:prompt.unclosed-comment']);
    assert.deepEqual(parsed.panels.map((p) => p.prompt), ['a', 'c']);
    assert.deepEqual(parsed.problems[1]!.range, { startLine: 6, startColumn: 0, endLine: 6, endColumn: 4 });
  });
});
