import { openStudio } from '../cliContext';
import { writeProblems } from '../problemJson';
import { checkPage, type CheckPageOptions } from './checkPage';

/** `studionova check <studio | page.md>`: one JSON problem per line; exit 1 if any is an error. Never creates an index. */
export async function checkCommand(target: string | undefined, options: CheckPageOptions): Promise<number> {
  if (target?.endsWith('.page.md')) return checkPage(target, options);
  const index = await openStudio(target, false);
  try {
    return writeProblems(index.problems.list(), process.stdout) ? 1 : 0;
  } finally {
    await index.close();
  }
}
