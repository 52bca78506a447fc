import type { Problem } from '../model/problem';
import type { DatasetCheck } from './validateDataset';

/**
 * The validation summary as markdown, for a person to read before training: the counts, the
 * verdict, then each finding grouped by file. The same findings are in the Problems panel.
 */
export function datasetReportMarkdown(datasetId: string, check: DatasetCheck): string {
  const { summary, problems } = check;
  const verdict =
    summary.errors > 0
      ? `**${summary.errors} ${plural(summary.errors, 'error')}** stop a training on this dataset; fix them first.`
      : summary.warnings > 0
        ? `No errors. ${summary.warnings} ${plural(summary.warnings, 'warning')} to look at.`
        : 'No problems: ready for training.';
  const lines = [
    `# Dataset ${datasetId}`,
    '',
    `${summary.kind} dataset · ${summary.resolution} px · trigger word ${summary.trigger ? `\`${summary.trigger}\`` : 'not set'}`,
    '',
    `- Images: ${summary.images}${summary.derived > 0 ? ` (${summary.derived} made by augmentation)` : ''}`,
    `- Captioned: ${summary.captioned}`,
    '',
    verdict,
  ];
  const byFile = new Map<string, Problem[]>();
  for (const problem of problems) byFile.set(problem.file, [...(byFile.get(problem.file) ?? []), problem]);
  for (const [file, found] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push('', `## ${file}`, '');
    for (const problem of found) lines.push(`- ${problem.severity === 'error' ? 'Error' : problem.severity === 'warning' ? 'Warning' : 'Note'}: ${problem.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
