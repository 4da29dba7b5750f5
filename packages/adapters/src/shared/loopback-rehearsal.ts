/**
 * A rehearsal of an adapter's first request against a throwaway HTTP server on 127.0.0.1, so that
 * the first request that counts leaves as fast as the later ones. A process's first real request
 * otherwise runs the SDK's request and error code for the first time and makes Node's `fetch`
 * (undici) build its connection pool and HTTP parser: in test/batch-e2e.test.ts the first requests
 * of each worker reached the provider 40–110 ms after their send began, later ones 1–2 ms, and the
 * start-up burst granted by the rate limiter arrived late, on top of the first refills (61–63
 * requests in the first second against 60 allowed).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** The key the rehearsal client carries: it only ever reaches the loopback server. */
export const REHEARSAL_KEY = 'sdl-warm-up-not-a-key';

/**
 * Starts a server on an ephemeral 127.0.0.1 port that answers every request 404 (a JSON error body,
 * which the SDKs parse like a provider's), runs `rehearse(baseURL)`, and closes the server and its
 * connections. The rehearsal's own failure (the 404 the SDK throws, or anything else) is ignored:
 * it only readies code paths; a real problem shows on the first real call.
 */
export async function rehearseOnLoopback(rehearse: (baseURL: string) => Promise<unknown>): Promise<void> {
  const { createServer } = await import('node:http');
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const body = '{"error":{"type":"not_found_error","message":"sdl warm-up"}}';
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') return;
    await rehearse(`http://127.0.0.1:${address.port}`).catch(() => undefined);
  } catch {
    // No loopback port (a sandbox without sockets): the first real call pays the cold path instead.
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
