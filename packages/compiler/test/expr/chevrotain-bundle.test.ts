import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/expr/chevrotain.js';

const require = createRequire(import.meta.url);

describe('chevrotain from its bundled file', () => {
  it('is the release the package pins (the bundle and the package entry are the same version)', () => {
    const pinned = (require('../../package.json') as { dependencies: Record<string, string> }).dependencies.chevrotain;
    // The package's `exports` hide its package.json; it sits two levels above the entry (lib/src/api.js).
    let dir = path.dirname(require.resolve('chevrotain'));
    while (!dir.endsWith(`${path.sep}chevrotain`)) dir = path.dirname(dir);
    const installed = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    expect(installed).toBe(pinned);
    expect(VERSION).toBe(installed);
  });
});
