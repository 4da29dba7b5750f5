import net from 'node:net';
import { describe, it } from 'vitest';

export const REDIS_URL = process.env.SDL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when something answers PING at the test Redis within a short timeout. */
function redisAnswers(url = REDIS_URL, timeoutMs = 500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (buf) => done(buf.toString().startsWith('+PONG')));
  });
}

const available = await redisAnswers();

/**
 * `describe` for tests that need the real Redis. In CI a missing Redis fails loudly; on a
 * developer's machine without Redis the block is skipped with a visible message.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (available) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs Redis at ' + REDIS_URL, () => {
        throw new Error(`Redis is not answering at ${REDIS_URL}; CI requires it (start redis-server).`);
      });
    });
  } else {
    console.warn(`[sdl tests] SKIPPED "${name}": Redis is not answering at ${REDIS_URL}.`);
    describe.skip(name, body);
  }
}
