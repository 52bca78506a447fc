import { openStudio } from '../cliContext';

/** `studionova index <studio> [--json]`: rebuilds .studio/index.sqlite and prints counts. */
export async function indexCommand(studio: string | undefined, json: boolean): Promise<number> {
  const index = await openStudio(studio, true);
  try {
    const result = await index.rebuild();
    if (json) process.stdout.write(`${JSON.stringify({ ...result.counts, durationMs: Math.round(result.durationMs) })}\n`);
    else {
      for (const [name, count] of Object.entries(result.counts)) process.stdout.write(`${name.padEnd(11)} ${count}\n`);
      process.stdout.write(`Indexed in ${result.durationMs.toFixed(0)} ms.\n`);
    }
    return 0;
  } finally {
    await index.close();
  }
}
