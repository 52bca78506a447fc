import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clampSize, diagnosePromptFile } from '../../../../src/core/prompts/diagnosePromptFile';
import { parsePromptFile } from '../../../../src/core/prompts/parsePromptFile';
import type { PromptContext, PromptDiagnostic } from '../../../../src/core/prompts/promptDiagnostic';
import { hardwarePresets } from '../../../../src/core/settings/hardware';
import { samplePage, samplePagePath } from './fixtures';

const m1 = { limits: hardwarePresets['apple-m1-16gb'].limits, label: hardwarePresets['apple-m1-16gb'].label };
const context: PromptContext = {
  characters: new Set(['spyke', 'mira']),
  hardware: m1,
  samplers: ['euler', 'euler_ancestral', 'dpmpp_2m', 'ddim'],
  schedulers: ['normal', 'karras', 'simple'],
  checkpoints: ['v1-5-pruned-emaonly.safetensors', 'sd15/anything-v5.safetensors'],
  loras: ['spyke_plasma_v1.safetensors'],
  templates: ['txt2img', 'txt2img-lora'],
};

const diagnose = (text: string, given: PromptContext = context): PromptDiagnostic[] => diagnosePromptFile(parsePromptFile('p.page.md', text), given);
const codes = (diagnostics: readonly PromptDiagnostic[]): string[] => diagnostics.map((d) => `${d.range.startLine}:${d.code}`);

describe('diagnosePromptFile', () => {
  it('finds nothing wrong with the sample page in the sample studio', () => {
    assert.deepEqual(diagnosePromptFile(parsePromptFile(samplePagePath, samplePage()), context), []);
  });

  it('reports an unknown character once where it is written, with the closest id', () => {
    const diagnostics = diagnose('---\ncharacter: spike\n---\n## Panel 1\na\n## Panel 2\nb\ncharacter: nobody_at_all\n');
    assert.deepEqual(codes(diagnostics), ['1:prompt.unknown-character', '7:prompt.unknown-character']);
    assert.match(diagnostics[0]!.message, /no character "spike" in this studio\. Did you mean "spyke"\?/);
    assert.deepEqual(diagnostics[0]!.range, { startLine: 1, startColumn: 11, endLine: 1, endColumn: 16 });
    assert.match(diagnostics[1]!.message, /The closest id is "/);
    assert.equal(diagnostics[0]!.severity, 'error');
    const empty = diagnose('## Panel 1\na\ncharacter: spyke\n', { ...context, characters: new Set() });
    assert.match(empty[0]!.message, /no characters yet/);
  });

  it('refuses a size over the hardware profile either way round, naming the limit, with a clamp fix', () => {
    assert.deepEqual(diagnose('## Panel 1\na\nsize: 768x512\n'), []);
    const [over] = diagnose('---\nsize: 640x1024\n---\n## Panel 1\na\n');
    assert.equal(over!.code, 'prompt.size-over-hardware');
    assert.match(over!.message, /640×1024 is over the Apple M1, 16 GB limit of 512×768/);
    assert.deepEqual(over!.fix, { kind: 'replace', title: 'Clamp to 512x768', line: 1, startColumn: 6, endColumn: 14, text: '512x768' });
    const [landscape] = diagnose('## Panel 1\na\nsize:   1024x640  \n');
    assert.deepEqual(landscape!.fix, { kind: 'replace', title: 'Clamp to 768x512', line: 2, startColumn: 8, endColumn: 16, text: '768x512' });
    const big = { limits: hardwarePresets['nvidia-24gb'].limits, label: hardwarePresets['nvidia-24gb'].label };
    assert.deepEqual(diagnose('## Panel 1\na\nsize: 1024x1536\n', { ...context, hardware: big }), []);
  });

  it('clamps to multiples of 8 within the limit, keeping the orientation', () => {
    const custom = { maxWidth: 500, maxHeight: 700 };
    assert.deepEqual(clampSize({ width: 1024, height: 2048 }, custom), { width: 496, height: 696 });
    assert.deepEqual(clampSize({ width: 2048, height: 256 }, custom), { width: 696, height: 256 });
  });

  it('reports a sampler or scheduler ComfyUI does not have, with the closest name as a quick fix', () => {
    const diagnostics = diagnose('---\nsampler: eulr_ancestral\n---\n## Panel 1\na\nscheduler: Karras\n## Panel 2\nb\nsampler: zzzzzzzzzz\n');
    assert.deepEqual(codes(diagnostics), ['1:prompt.unknown-sampler', '5:prompt.unknown-scheduler', '8:prompt.unknown-sampler']);
    const [sampler, scheduler, far] = diagnostics;
    assert.match(sampler!.message, /ComfyUI has no sampler "eulr_ancestral"\. Did you mean "euler_ancestral"\?/);
    assert.deepEqual(sampler!.fix, { kind: 'replace', title: 'Change to euler_ancestral', line: 1, startColumn: 9, endColumn: 23, text: 'euler_ancestral' });
    assert.deepEqual(scheduler!.fix?.text, 'karras');
    // Too far from any name to guess: a hint, no fix.
    assert.match(far!.message, /The closest is "/);
    assert.equal(far!.fix, undefined);
  });

  it('reports checkpoints, LoRAs and templates that are not there, and fixes only the obvious', () => {
    const text = '## Panel 1\na\ncheckpoint: anything-v5.safetensors\nlora: spyke_plasma_v2\ntemplate: txt2im\n## Panel 2\nb\nlora: spyke_plasma_v1\ncheckpoint: sd15/anything-v5.safetensors\n';
    const diagnostics = diagnose(text);
    assert.deepEqual(codes(diagnostics), ['2:prompt.unknown-checkpoint', '3:prompt.unknown-lora', '4:prompt.unknown-template']);
    const [checkpoint, lora, template] = diagnostics;
    // The same file in a folder: the fix is obvious.
    assert.equal(checkpoint!.fix?.text, 'sd15/anything-v5.safetensors');
    assert.match(lora!.message, /Did you mean "spyke_plasma_v1\.safetensors"\?/);
    assert.equal(lora!.fix, undefined);
    assert.equal(template!.fix?.text, 'txt2img');
  });

  it('checks nothing against a list it does not have', () => {
    const text = '## Panel 1\na\nsampler: anything\nscheduler: anything\ncheckpoint: x\nlora: y\ntemplate: z\n';
    assert.deepEqual(diagnose(text, { characters: new Set(), hardware: m1 }), []);
  });

  it('keeps the parse problems and sorts everything by position', () => {
    const diagnostics = diagnose('---\nsteps: 0\ncharacter: bob\n---\n## Panel 1\n');
    assert.deepEqual(codes(diagnostics), ['1:prompt.invalid-value', '2:prompt.unknown-character', '4:prompt.empty-panel']);
  });

  it('reports a default once, not in every panel that inherits it', () => {
    const panels = Array.from({ length: 20 }, (_, i) => `## Panel ${i + 1}\nprompt ${i}\n`).join('');
    const diagnostics = diagnose(`---\ncharacter: bob\nsampler: nope\nsize: 4096x4096\n---\n${panels}`);
    assert.deepEqual(codes(diagnostics), ['1:prompt.unknown-character', '2:prompt.unknown-sampler', '3:prompt.size-over-hardware']);
  });
});
