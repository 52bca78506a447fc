import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NdjsonLineError, ndjsonValues } from '../../../../src/core/ollama/ndjson';

async function* chunksOf(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const part of parts) yield part;
}

async function collect(chunks: AsyncIterable<string | Uint8Array>): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of ndjsonValues(chunks)) values.push(value);
  return values;
}

const lines = ['{"message":{"content":"A red"},"done":false}', '{"message":{"content":" bicycle"},"done":false}', '{"done":true,"eval_count":2}'];
const whole = lines.map((l) => `${l}\n`).join('');
const expected = lines.map((l) => JSON.parse(l) as unknown);

describe('ndjsonValues', () => {
  it('reads one value per line when each chunk is a line', async () => {
    assert.deepEqual(await collect(chunksOf(...lines.map((l) => `${l}\n`))), expected);
  });

  it('gives the same values whatever the chunk boundaries, down to one byte per chunk', async () => {
    const bytes = new TextEncoder().encode(whole);
    for (const size of [1, 2, 3, 7, 16, 50, bytes.length]) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      assert.deepEqual(await collect(chunksOf(...chunks)), expected, `chunks of ${size} bytes`);
    }
  });

  it('keeps a multi-byte character that is split between two chunks', async () => {
    const bytes = new TextEncoder().encode('{"content":"café 漫画"}\n');
    const cut = bytes.indexOf(0xe6) + 1; // inside the three bytes of 漫
    assert.deepEqual(await collect(chunksOf(bytes.subarray(0, cut), bytes.subarray(cut))), [{ content: 'café 漫画' }]);
  });

  it('holds several lines in one chunk and a line spread over several chunks', async () => {
    assert.deepEqual(await collect(chunksOf(`${lines[0]}\n${lines[1]}\n{"done"`, ':true,"eval_count":2}\n')), expected);
  });

  it('skips blank lines, accepts CRLF and a last line without its newline', async () => {
    assert.deepEqual(await collect(chunksOf('\n{"a":1}\r\n\r\n', '{"b":2}')), [{ a: 1 }, { b: 2 }]);
  });

  it('throws NdjsonLineError with the line that is not JSON', async () => {
    await assert.rejects(collect(chunksOf('{"a":1}\n<html>oops</html>\n')), (error: unknown) => {
      assert.ok(error instanceof NdjsonLineError);
      assert.equal(error.line, '<html>oops</html>');
      return true;
    });
  });

  it('yields nothing for an empty stream', async () => {
    assert.deepEqual(await collect(chunksOf()), []);
  });
});
