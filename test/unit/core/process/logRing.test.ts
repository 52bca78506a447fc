import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogRing } from '../../../../src/core/process/logRing';

describe('LogRing', () => {
  it('splits on \\n and \\r\\n, also across chunks, and keeps stdout and stderr in the order the lines began', () => {
    const ring = new LogRing();
    assert.deepEqual(ring.write('stdout', 'one\ntw'), [{ stream: 'stdout', line: 'one', progress: false }]);
    ring.write('stderr', 'err\r\n');
    ring.write('stdout', 'o\r');
    assert.deepEqual(ring.write('stdout', '\nthree'), [{ stream: 'stdout', line: 'two', progress: false }]);
    assert.deepEqual(ring.tail(), ['one', 'two', 'err', 'three']);
    assert.deepEqual(ring.tail(2), ['err', 'three']);
    assert.deepEqual(ring.tail(undefined, 'stderr'), ['err']);
    assert.deepEqual(ring.tail(1, 'stdout'), ['three']);
  });

  it('treats a lone \\r as a rewrite of the line, as tqdm uses it', () => {
    const ring = new LogRing();
    const out = [
      ...ring.write('stderr', '\rsteps:   0%| | 0/4'),
      ...ring.write('stderr', '\rsteps:  25%|▎| 1/4\r'),
      ...ring.write('stderr', 'steps:  50%|▌| 2/4'),
    ];
    assert.deepEqual(out, [
      { stream: 'stderr', line: 'steps:   0%| | 0/4', progress: true },
      { stream: 'stderr', line: 'steps:  25%|▎| 1/4', progress: true },
    ]);
    assert.deepEqual(ring.tail(), ['steps:  50%|▌| 2/4']);
    // Log text glued after the bar ends the line with it, as on a terminal.
    assert.deepEqual(ring.write('stderr', 'model saved.\n'), [{ stream: 'stderr', line: 'steps:  50%|▌| 2/4model saved.', progress: false }]);
    assert.deepEqual(ring.tail(), ['steps:  50%|▌| 2/4model saved.']);
  });

  it('moves a redrawn bar after lines printed meanwhile on the other stream', () => {
    const ring = new LogRing();
    ring.write('stderr', '\rsteps: 1/4');
    ring.write('stdout', 'epoch 1/4\n');
    ring.write('stderr', '\rsteps: 2/4');
    assert.deepEqual(ring.tail(), ['epoch 1/4', 'steps: 2/4']);
  });

  it('reports blank lines but does not keep them', () => {
    const ring = new LogRing();
    assert.deepEqual(ring.write('stderr', 'Starting server\n\n'), [
      { stream: 'stderr', line: 'Starting server', progress: false },
      { stream: 'stderr', line: '', progress: false },
    ]);
    assert.deepEqual(ring.tail(), ['Starting server']);
  });

  it('completes the unfinished line when the stream ends', () => {
    const ring = new LogRing();
    ring.write('stderr', '\rsteps: 4/4\r');
    assert.deepEqual(ring.end('stderr'), [{ stream: 'stderr', line: 'steps: 4/4', progress: false }]);
    assert.deepEqual(ring.end('stderr'), []);
    assert.deepEqual(ring.tail(), ['steps: 4/4']);
  });

  it('keeps only the last maxLines lines', () => {
    const ring = new LogRing({ maxLines: 3 });
    for (let i = 1; i <= 5; i++) ring.write('stdout', `line ${i}\n`);
    assert.deepEqual(ring.tail(), ['line 3', 'line 4', 'line 5']);
  });

  it('cuts long lines, even when they arrive in pieces without a newline', () => {
    const ring = new LogRing({ maxLineLength: 5 });
    ring.write('stdout', 'abc');
    ring.write('stdout', 'defgh');
    assert.deepEqual(ring.tail(), ['abcde…']);
    assert.deepEqual(ring.write('stdout', 'ij\nxy\n'), [
      { stream: 'stdout', line: 'abcde…', progress: false },
      { stream: 'stdout', line: 'xy', progress: false },
    ]);
    ring.write('stderr', '\r1234567\r');
    assert.deepEqual(ring.write('stderr', 'z'), [{ stream: 'stderr', line: '12345…', progress: true }]);
    assert.deepEqual(ring.tail(undefined, 'stderr'), ['z']);
  });

  it('forgets everything on clear()', () => {
    const ring = new LogRing();
    ring.write('stdout', 'a\nb');
    ring.clear();
    ring.write('stdout', 'c\n');
    assert.deepEqual(ring.tail(), ['c']);
  });
});
