import type { Severity } from '../diagnostics/diagnostic.js';

/**
 * The SDL5xxx codes of dependency resolution and the lockfile, in the shape of the compiler's
 * diagnostic registry (`severity`, `title`), so the registry can include them as they are.
 * Each is documented in `spec/diagnostics.md` under "SDL5xxx — dependencies".
 */
export const DEPENDENCY_DIAGNOSTIC_CODES = {
  SDL5001: { severity: 'error', title: 'dependency file not found' },
  SDL5002: { severity: 'error', title: 'npm package not installed' },
  SDL5003: { severity: 'error', title: 'package does not provide the skill' },
  SDL5004: { severity: 'error', title: 'path leaves the project root' },
  SDL5005: { severity: 'error', title: 'invalid semver range' },
  SDL5006: { severity: 'error', title: 'version range not satisfied' },
  SDL5007: { severity: 'error', title: 'conflicting version requirements' },
  SDL5008: { severity: 'error', title: 'dependency cycle' },
  SDL5009: { severity: 'error', title: 'dependency has no name or version' },
  SDL5010: { severity: 'error', title: 'dependency header unreadable' },
  SDL5011: { severity: 'error', title: 'uses entry without skill' },
  SDL5012: { severity: 'error', title: 'invalid skill reference' },
  SDL5101: { severity: 'error', title: 'lockfile missing' },
  SDL5102: { severity: 'error', title: 'lockfile out of date' },
  SDL5103: { severity: 'error', title: 'dependency changed since it was locked' },
  SDL5104: { severity: 'error', title: 'invalid lockfile' },
} as const satisfies Record<string, { severity: Severity; title: string }>;
