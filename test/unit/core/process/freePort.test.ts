import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { findFreePort } from '../../../../src/core/process/freePort';

describe('findFreePort', () => {
  it('returns a port that can then be listened on', async () => {
    const port = await findFreePort('127.0.0.1');
    assert.ok(port > 0 && port < 65536);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
