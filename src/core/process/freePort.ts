import { createServer } from 'node:net';

/**
 * A TCP port nobody listens on right now, found by letting the OS pick one (listen on port 0).
 * Another program can still take it before the child binds it; the child then exits with
 * "address already in use" and the start error says so.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close((error) => {
        if (error) reject(error);
        else if (port === undefined) reject(new Error(`could not read the port picked on ${host}`));
        else resolve(port);
      });
    });
  });
}
