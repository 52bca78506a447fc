import { parseArgs } from 'node:util';
import { AppError, errorMessage } from '../core/util/errors';
import { UsageError } from './cliContext';
import { checkCommand } from './commands/checkCommand';
import { datasetCommand } from './commands/datasetCommand';
import { generateCommand } from './commands/generateCommand';
import { indexCommand } from './commands/indexCommand';
import { inspectCommand } from './commands/inspectCommand';
import { trainCommand } from './commands/trainCommand';
import { trainingParseLog } from './commands/trainingCommand';
import { workflowCommand } from './commands/workflowCommand';

const usage = `Usage: studionova <command> [options]

Commands:
  index <studio> [--json]        Rebuild the studio's index (.studio/index.sqlite) and print counts.
  check <studio>                 Print every problem as one JSON object per line; exit 1 if any is an error.
  check <page.md> [--url …] [--profile …]
                                 The same for one page file, against its studio and ComfyUI's lists.
  generate --studio <dir> --prompt "…" [--character id] [--count n] [--seed n] [--size 512x768]
           [--steps n] [--cfg x] [--sampler s] [--scheduler s] [--checkpoint file] [--negative "…"]
           [--template name] [--url http://127.0.0.1:8188] [--profile apple-m1-16gb]
                                 Generate through ComfyUI; one JSON line per saved image.
  generate --studio <dir> --chapter n --page n [--panel n] [--url …] [--profile …]
                                 Generate a page file's panels (chapters/ch-01/p001.page.md).
  dataset check <dir>            Check a dataset folder before training (captions, trigger word, sizes,
                                 duplicates, 15–20 images): one JSON finding per line, then a summary
                                 line; exit 1 if any is an error.
  workflow slots <file.json>     Print the fields StudioNOVA fills in a ComfyUI API workflow, as JSON.
  inspect <image> [--studio <dir>]
                                 Print how an image was made (seed, prompt, sampler, LoRAs…) as JSON:
                                 from the studio's generation log, else ComfyUI or A1111 PNG metadata.
  train --dataset <studio>/datasets/<id> --base-model <file> --sd-scripts <folder>
        [--preset sd15-8gb] [--steps n] [--launcher python|accelerate] [--python p] [--accelerate p]
        [--profile apple-m1-16gb] [--output-name name]
                                 Train a LoRA with sd-scripts, as Train LoRA does in the editor: the run
                                 goes to the studio's training/<run>/; progress on stderr, the final
                                 run record as JSON on stdout; exit 1 if it failed, 130 if cancelled.
  training parse-log <file> [--all]
                                 Read a saved sd-scripts console transcript: one JSON line per progress
                                 bar update (step, total, averageLoss, itPerSec, elapsedSec,
                                 remainingSec), or with --all every recognised event with its kind.
                                 A log without "model saved." that names an error ends with a
                                 {"failure": {cause, message}} line and exits 1.

Exit codes: 0 fine, 1 the studio, page or dataset has errors, a generation failed, an image
            cannot be read or a training log ends in an error, 2 the command could not run.
`;

const options = {
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  studio: { type: 'string' },
  prompt: { type: 'string' },
  character: { type: 'string' },
  count: { type: 'string' },
  seed: { type: 'string' },
  size: { type: 'string' },
  steps: { type: 'string' },
  cfg: { type: 'string' },
  sampler: { type: 'string' },
  scheduler: { type: 'string' },
  checkpoint: { type: 'string' },
  negative: { type: 'string' },
  template: { type: 'string' },
  url: { type: 'string' },
  profile: { type: 'string' },
  chapter: { type: 'string' },
  page: { type: 'string' },
  panel: { type: 'string' },
  dataset: { type: 'string' },
  preset: { type: 'string' },
  'base-model': { type: 'string' },
  'sd-scripts': { type: 'string' },
  python: { type: 'string' },
  accelerate: { type: 'string' },
  launcher: { type: 'string' },
  'output-name': { type: 'string' },
} as const;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(usage);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'index':
      return indexCommand(rest[0], values.json ?? false);
    case 'check':
      return checkCommand(rest[0], values);
    case 'generate':
      return generateCommand({ ...values, studio: values.studio ?? rest[0] });
    case 'dataset':
      return datasetCommand(rest[0], rest[1]);
    case 'workflow':
      return workflowCommand(rest[0], rest[1]);
    case 'inspect':
      return inspectCommand(rest[0], values.studio);
    case 'train':
      return trainCommand(values);
    case 'training':
      if (rest[0] === 'parse-log' && rest[1]) return trainingParseLog(rest[1], values.all ?? false);
      throw new UsageError('Usage: studionova training parse-log <file> [--all]');
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${usage}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`studionova: ${errorMessage(error)}\n`);
    // A command line that cannot run is 2; a failure of the work itself (ComfyUI down, bad workflow) is 1.
    process.exitCode = error instanceof UsageError || (error instanceof TypeError && /parseArgs|option/i.test(error.message)) ? 2 : error instanceof AppError ? 1 : 2;
  },
);
