/** How the runtime names a Redis server in errors and printouts: `host:port`, never credentials. */
import type { Redis } from 'ioredis';

/** `host:port` (or the socket path) of a client's server. */
export function redisAddress(redis: Redis): string {
  const { host, port, path: socket } = redis.options;
  return socket ? String(socket) : `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}
