export { headerFromDocument, readSkillHeader, type SkillHeader, type UsesEntry } from './header.js';
export { ResolutionCache, type CacheStats, type ResolutionCacheOptions, type LoadedSkillFile, type LoadedPackage } from './cache.js';
export { resolveProject, type ResolveOptions } from './resolve.js';
export { findProjectRoot, isInside, toPosixRelative } from './paths.js';
export { parseSpecifier, type Specifier } from './specifier.js';
export { canonicalJson, contentHash, documentHash, sha256 } from './hash.js';
export {
  LOCKFILE_NAME,
  LOCKFILE_VERSION,
  checkLockfile,
  lockfileFromProject,
  mergeLockfiles,
  readLockfile,
  serializeLockfile,
  writeLockfile,
  type LockedSkill,
  type Lockfile,
  type ReadLockfileResult,
} from './lockfile.js';
export { formatGraph, type GraphFormat } from './graph-format.js';
export type { ResolvedDependency, ResolvedProject, ResolvedSkill, SkillSource } from './types.js';
export { DEPENDENCY_DIAGNOSTIC_CODES } from './codes.js';
export { affectedRoots, closureOf, dependenciesFirst } from './graph-queries.js';
