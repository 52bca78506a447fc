// Parse and diagnose a 500-panel prompt file: what the editor redoes (off the keystroke, cached
// per document version) each time such a page changes.
//
//   BENCH prompt_parse_500_ms   parsePromptFile + diagnosePromptFile on the whole file (median). Goal < 50.
import { diagnosePromptFile } from '../src/core/prompts/diagnosePromptFile';
import { parsePromptFile } from '../src/core/prompts/parsePromptFile';
import type { PromptContext } from '../src/core/prompts/promptDiagnostic';
import { hardwarePresets } from '../src/core/settings/hardware';
import { report } from './support/measure';

const panelCount = 500;
/** Each run is a few milliseconds: more runs than the default make the median steadier. */
const runs = 15;
const warmUpRuns = 3;

const names = (prefix: string, count: number, suffix = ''): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}${suffix}`);

/** Lists the size of a well-stocked ComfyUI and studio, so lookups and "did you mean" cost what they would. */
const context: PromptContext = {
  characters: new Set(['spyke', 'mira', ...names('extra_', 98)]),
  hardware: { limits: hardwarePresets['apple-m1-16gb'].limits, label: hardwarePresets['apple-m1-16gb'].label },
  samplers: ['euler', 'euler_ancestral', 'heun', 'dpm_2', 'dpmpp_2m', 'dpmpp_sde', 'ddim', 'uni_pc', ...names('sampler_', 32)],
  schedulers: ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple', 'ddim_uniform', 'beta'],
  checkpoints: ['v1-5-pruned-emaonly.safetensors', ...names('models/checkpoint_', 99, '.safetensors')],
  loras: ['spyke_plasma_v1.safetensors', ...names('loras/lora_', 199, '.safetensors')],
  templates: ['txt2img', 'txt2img-lora'],
};

/**
 * A page as people write them: front matter defaults, notes, and panels of a few prompt lines
 * with their own seed, some overrides, comments, and the odd mistake for the diagnostics to find.
 */
function generatePage(): string {
  const lines = [
    '---',
    'chapter: 1',
    'page: 1',
    'character: spyke',
    'size: 512x768',
    'steps: 24',
    'cfg: 7',
    'sampler: euler_ancestral',
    'scheduler: karras',
    'negative: lowres, bad hands, extra fingers',
    '---',
    '# Page 1',
    '',
    'The long chase through the market, from dusk to the first light.',
    '',
  ];
  for (let i = 1; i <= panelCount; i++) {
    lines.push(`## Panel ${i} — ${i % 3 === 0 ? 'close-up' : 'wide shot'}`);
    if (i % 10 === 0) lines.push('<!-- check the light', 'against panel 1 -->');
    lines.push('spyke_plasma_v1, full body, running through a neon alley at night,', `rain, reflections on the wet ground, dramatic lighting, shot ${i}`);
    lines.push(`seed: ${1000 + i}`);
    if (i % 4 === 0) lines.push('negative: lowres, blurry');
    if (i % 7 === 0) lines.push('size: 768x512');
    if (i % 25 === 0) lines.push('size: 1024x1024');
    if (i % 50 === 0) lines.push('sampler: eulr_ancestral');
    if (i % 60 === 0) lines.push('character: spike');
    if (i % 45 === 0) lines.push('```', 'steps: 99', '```');
    lines.push('');
  }
  return lines.join('\n');
}

const text = generatePage();
const file = 'chapters/ch-01/p001.page.md';
const parseAndDiagnose = (): number => {
  const parsed = parsePromptFile(file, text);
  return diagnosePromptFile(parsed, context).length + parsed.panels.length;
};

// The first run includes compiling the code: what the first open of such a file costs.
const coldStarted = performance.now();
parseAndDiagnose();
const coldMs = performance.now() - coldStarted;
for (let i = 1; i < warmUpRuns; i++) parseAndDiagnose();
const samples: number[] = [];
let checked = 0;
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  checked = parseAndDiagnose();
  samples.push(performance.now() - started);
}
const parsed = parsePromptFile(file, text);
console.log(`  ${parsed.lineCount} lines, ${parsed.panels.length} panels, ${checked - parsed.panels.length} diagnostics`);
console.log(`  first run (cold, not counted): ${coldMs.toFixed(1)} ms; ${warmUpRuns} warm-up runs before the ${runs} measured`);
report('prompt_parse_500_ms', samples, 'ms', 50);
