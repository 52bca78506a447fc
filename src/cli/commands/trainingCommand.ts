import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KohyaLogParser, splitTrainerText } from '../../core/training/kohyaLog';
import type { KohyaEvent } from '../../core/training/model';
import { InvalidInputError } from '../../core/util/errors';
import { isErrnoException } from '../../core/util/files';

/**
 * `studionova training parse-log <file> [--all]`: reads a saved sd-scripts console transcript
 * (stdout and stderr together, bars with their `\r`s) as the runner reads live output.
 *
 * Prints one JSON line per bar update, `{"step","total","averageLoss","itPerSec","elapsedSec",
 * "remainingSec"}` (a `nan` loss prints as the string "NaN"), or with `all` every event with its
 * `kind` first. When the log has no `model saved.` and names an error, a last line
 * `{"failure":{"cause","message"}}` follows and the exit code is 1; otherwise 0, so a log of a
 * run still going (or stopped without an error) exits 0.
 */
export async function trainingParseLog(file: string, all: boolean): Promise<number> {
  const text = await readLog(path.resolve(file));
  // `parse-log … | head` closes the pipe early: the reader is done, which is no error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  const parser = new KohyaLogParser();
  const lines: string[] = [];
  let saved = false;
  const print = (events: readonly KohyaEvent[]): void => {
    for (const event of events) {
      if (event.kind === 'model-saved') saved = true;
      if (all) lines.push(json(event));
      else if (event.kind === 'progress') {
        const { step, total, averageLoss, itPerSec, elapsedSec, remainingSec } = event;
        lines.push(json({ step, total, averageLoss, itPerSec, elapsedSec, remainingSec }));
      }
    }
    // Bars make transcripts long: print in batches rather than a write per line.
    if (lines.length >= 1000) flush(lines);
  };
  for (const line of splitTrainerText(text)) print(parser.push(line));
  print(parser.end());
  const failure = saved ? null : parser.failure();
  if (failure) lines.push(json({ failure }));
  flush(lines);
  return failure ? 1 : 0;
}

async function readLog(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'EISDIR')) {
      throw new InvalidInputError(`${file} is not a log file: give the path of a saved trainer transcript.`);
    }
    throw error;
  }
}

function json(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'number' && Number.isNaN(item) ? 'NaN' : item));
}

function flush(lines: string[]): void {
  if (lines.length === 0) return;
  process.stdout.write(`${lines.join('\n')}\n`);
  lines.length = 0;
}
