/**
 * Parses a stream of NDJSON (one JSON value per `\n`-terminated line) as it arrives. TCP chunks
 * do not follow line boundaries, and a multi-byte character can be split between two chunks,
 * so partial lines and partial characters are held until the rest comes. Blank lines are
 * skipped; a final line without its `\n` still counts. A line that is not JSON throws
 * `NdjsonLineError` with the line, so the caller can say what it received.
 */
export async function* ndjsonValues(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<unknown, void, undefined> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      const value = parseLine(line);
      if (value !== skip) yield value;
      newline = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  const last = parseLine(pending);
  if (last !== skip) yield last;
}

/** A line that is not JSON. */
export class NdjsonLineError extends Error {
  constructor(readonly line: string) {
    super(`not a JSON line: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
    this.name = 'NdjsonLineError';
  }
}

const skip = Symbol('blank line');

function parseLine(line: string): unknown {
  const trimmed = line.trim(); // also drops the \r of a CRLF line end
  if (trimmed === '') return skip;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    throw new NdjsonLineError(trimmed);
  }
}
