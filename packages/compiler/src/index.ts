export * from './diagnostics/diagnostic.js';
export { closestMatch, didYouMean, editDistance } from './util/suggest.js';
export { SourceFile } from './source/source-file.js';
export * from './deps/index.js';
