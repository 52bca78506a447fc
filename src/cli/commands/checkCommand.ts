import { openStudio } from '../cliContext';
import { problemToJsonLine } from '../problemJson';

/** `studionova check <studio>`: one JSON problem per line; exit 1 if any is an error. Writes nothing. */
export async function checkCommand(studio: string | undefined): Promise<number> {
  const index = await openStudio(studio, false);
  try {
    const problems = index.problems.list();
    for (const problem of problems) process.stdout.write(`${problemToJsonLine(problem)}\n`);
    return problems.some((p) => p.severity === 'error') ? 1 : 0;
  } finally {
    await index.close();
  }
}
