import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256 of a file's bytes (the lockfile and IR content hash). */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
