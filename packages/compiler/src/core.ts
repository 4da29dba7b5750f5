/**
 * The light part of `@sdl/compiler` (`@sdl/compiler/core`): diagnostics, source positions,
 * did-you-mean hints and the IR content hashes, without the parser, the schema validator or their libraries. Packages that
 * only report located problems (the adapters' config loader) or check IR hashes (the runtime's
 * IR loader) import this, so they do not pay the
 * compiler's start-up cost.
 * @module
 */
export * from './diagnostics/diagnostic.js';
export { SourceFile } from './source/source-file.js';
export { closestMatch, didYouMean, editDistance } from './util/suggest.js';
export { canonicalJson, contentHash, documentHash, sha256 } from './deps/hash.js';
export { loadStandaloneValidators, type StandaloneValidator, type StandaloneValidators } from './schema/standalone.js';
export { codeCacheBytes, codeCacheFile, loadGeneratedModule, requireOneFileCopy, type CodeCacheUse, type GeneratedModule } from './util/generated-module.js';
