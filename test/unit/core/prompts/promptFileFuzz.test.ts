import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TextRange } from '../../../../src/core/model/problem';
import { completionsAt } from '../../../../src/core/prompts/completionsAt';
import { diagnosePromptFile } from '../../../../src/core/prompts/diagnosePromptFile';
import type { ParsedPromptFile } from '../../../../src/core/prompts/parsedPromptFile';
import { parsePromptFile } from '../../../../src/core/prompts/parsePromptFile';
import type { PromptContext, PromptDiagnostic } from '../../../../src/core/prompts/promptDiagnostic';
import { hardwarePresets } from '../../../../src/core/settings/hardware';
import { samplePage, samplePagePath } from './fixtures';
import { SeededRandom } from './seededRandom';

// Property: whatever the text, the parser and the diagnostics return an answer (never throw),
// panels tile the body in order, and every range they give lies inside the document.

const seed = 0x5eed_2024;
const iterations = 2000;

/** Lines that exercise each rule of the format, and the YAML and markdown corners around it. */
const interestingLines = [
  '---',
  '\uFEFF---',
  '## Panel 9',
  '##',
  '## ',
  '  ## indented a little',
  '    ## indented as code',
  '### camera',
  '# Page',
  '***',
  '<!--',
  '-->',
  '<!-- note -->',
  'text <!-- open',
  'close --> text',
  '```',
  '```js',
  '~~~',
  '````',
  'size: 99999x1',
  'size: 512x768',
  'size: 1024x1536',
  'size: 512 × 768',
  'seed: 1e400',
  'seed: -1',
  'seed: 281474976710656',
  'steps: 0x10',
  'cfg: NaN',
  'count: 64',
  'lora-strength: 11',
  'SEED: 2',
  'sampler: eulr',
  'sampler:',
  'character: bob',
  'character: spyke',
  'negative:',
  'width: 512',
  'sampeler: euler',
  'key: [a, b',
  'size: [512, 768]',
  'a: &a [x, x]',
  'b: [*a, *a, *a]',
  'c: *missing',
  '!!binary aGVsbG8=',
  '%YAML 1.2',
  '...',
  '- list item',
  '> quote',
  ':',
  'x:',
  '"',
  "'",
  '{',
  '[',
  '\t',
  '\r',
  '',
  '😀 emoji 🎨 — ×',
  'a'.repeat(300),
];
const alphabet = ['a', 'Z', ' ', '\n', '\r', '\t', ':', '#', '-', '<', '!', '>', '`', '~', '"', "'", '[', ']', '{', '}', '&', '*', '|', '\\', 'x', '8', '0', '\u0000', '\uFEFF', '\uD800', '€', '—', '×', '😀'];

function randomChars(random: SeededRandom, max: number): string {
  let text = '';
  for (let i = random.int(0, max); i > 0; i--) text += random.pick(alphabet);
  return text;
}

function randomLine(random: SeededRandom): string {
  return random.chance(0.6) ? random.pick(interestingLines) : randomChars(random, 30);
}

/** The sample page after 1 to 8 random edits: lines deleted, duplicated, inserted or swapped, characters deleted or inserted. */
function mutate(text: string, random: SeededRandom): string {
  let lines = text.split('\n');
  for (let edits = random.int(1, 8); edits > 0; edits--) {
    const at = random.int(0, Math.max(lines.length - 1, 0));
    switch (random.int(0, 5)) {
      case 0:
        lines.splice(at, 1);
        break;
      case 1:
        lines.splice(at, 0, lines[at] ?? '');
        break;
      case 2:
        lines.splice(at, 0, randomLine(random));
        break;
      case 3: {
        const other = random.int(0, Math.max(lines.length - 1, 0));
        [lines[at], lines[other]] = [lines[other] ?? '', lines[at] ?? ''];
        break;
      }
      case 4: {
        const joined = lines.join('\n');
        const start = random.int(0, joined.length);
        lines = (joined.slice(0, start) + joined.slice(start + random.int(1, 10))).split('\n');
        break;
      }
      default: {
        const joined = lines.join('\n');
        const start = random.int(0, joined.length);
        lines = (joined.slice(0, start) + randomChars(random, 10) + joined.slice(start)).split('\n');
      }
    }
  }
  return lines.join('\n');
}

/** A file made up from scratch: sometimes with front matter, always some panel-like lines. */
function randomFile(random: SeededRandom): string {
  const lines: string[] = [];
  if (random.chance(0.5)) lines.push('---', ...Array.from({ length: random.int(0, 6) }, () => randomLine(random)), '---');
  for (let i = random.int(0, 40); i > 0; i--) lines.push(random.chance(0.15) ? `## Panel ${i}` : randomLine(random));
  return lines.join(random.chance(0.2) ? '\r\n' : '\n');
}

const context: PromptContext = {
  characters: new Set(['spyke', 'mira']),
  hardware: { limits: hardwarePresets['apple-m1-16gb'].limits, label: hardwarePresets['apple-m1-16gb'].label },
  samplers: ['euler', 'euler_ancestral', 'dpmpp_2m'],
  schedulers: ['normal', 'karras'],
  checkpoints: ['v1-5-pruned-emaonly.safetensors'],
  loras: ['spyke_plasma_v1.safetensors'],
  templates: ['txt2img', 'txt2img-lora'],
};

function assertInside(range: TextRange, lines: readonly string[], what: string): void {
  const { startLine, startColumn, endLine, endColumn } = range;
  assert.ok(Number.isInteger(startLine) && Number.isInteger(endLine) && Number.isInteger(startColumn) && Number.isInteger(endColumn), `${what}: whole numbers`);
  assert.ok(startLine >= 0 && startLine <= endLine && endLine < lines.length, `${what}: lines ${startLine}-${endLine} of ${lines.length}`);
  assert.ok(startColumn >= 0 && startColumn <= lines[startLine]!.length, `${what}: start column ${startColumn}`);
  assert.ok(endColumn >= 0 && endColumn <= lines[endLine]!.length, `${what}: end column ${endColumn}`);
  assert.ok(startLine < endLine || startColumn <= endColumn, `${what}: starts before it ends`);
}

function checkResult(text: string, parsed: ParsedPromptFile, diagnostics: readonly PromptDiagnostic[], random: SeededRandom): void {
  // Editors count lines without their \r.
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  assert.equal(parsed.lineCount, lines.length);
  assert.equal(parsed.lines.length, lines.length);
  let previousEnd = -1;
  parsed.panels.forEach((panel, i) => {
    assert.equal(panel.index, i + 1);
    assert.equal(panel.id, `panel-${i + 1}`);
    assert.equal(panel.headingLine, panel.range.startLine);
    assert.equal(parsed.lines[panel.headingLine]!.kind, 'heading');
    assert.ok(panel.range.startLine < panel.range.endLine && panel.range.endLine <= lines.length, `panel ${i + 1} range`);
    if (previousEnd >= 0) assert.equal(panel.range.startLine, previousEnd, 'panels follow each other');
    previousEnd = panel.range.endLine;
    assert.equal(typeof panel.prompt, 'string');
    assert.equal(typeof panel.title, 'string');
    for (const line of Object.values(panel.paramLines)) assert.ok(line >= 0 && line < lines.length);
    for (const range of Object.values(panel.paramRanges)) assertInside(range, lines, 'param range');
  });
  if (parsed.panels.length > 0) assert.equal(previousEnd, lines.length, 'the last panel runs to the end');
  const span = parsed.frontMatter.span;
  if (span) assert.ok(span.startLine === 0 && span.endLine <= lines.length);
  for (const problem of [...parsed.problems, ...parsed.frontMatter.problems]) assertInside(problem.range, lines, `problem ${problem.code}`);
  for (const diagnostic of diagnostics) {
    assert.notEqual(diagnostic.code, 'prompt.internal', diagnostic.message);
    assertInside(diagnostic.range, lines, `diagnostic ${diagnostic.code}`);
    if (diagnostic.fix) {
      const { line, startColumn, endColumn } = diagnostic.fix;
      assertInside({ startLine: line, startColumn, endLine: line, endColumn }, lines, 'fix');
    }
  }
  for (let i = 0; i < 3; i++) {
    const line = random.int(-1, lines.length);
    const column = random.int(0, (lines[line] ?? '').length + 1);
    for (const item of completionsAt(parsed, line, column, context)) assertInside(item.range, lines, 'completion');
  }
}

describe('prompt files under fuzzing', () => {
  it(`parses and diagnoses ${iterations} mutated and ${iterations} random files without throwing, every range inside`, () => {
    const random = new SeededRandom(seed);
    const sample = samplePage();
    for (let iteration = 0; iteration < iterations; iteration++) {
      for (const text of [mutate(sample, random), randomFile(random)]) {
        try {
          const parsed = parsePromptFile(samplePagePath, text);
          const diagnostics = diagnosePromptFile(parsed, context);
          checkResult(text, parsed, diagnostics, random);
        } catch (error) {
          assert.fail(`seed ${seed}, iteration ${iteration}, text ${JSON.stringify(text)}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  });
});
