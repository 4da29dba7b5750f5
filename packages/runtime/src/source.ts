/**
 * Development loading with the compiler's parser (`@sdl/runtime/source`): parsing expressions and
 * templates from text and building a loaded skill from a checked source file. Kept out of
 * `@sdl/runtime` so that importing the runtime does not load the parser; `loadSkillSource` (in the
 * main entry) loads this path on its first call.
 * @module
 */
export { celExpression, celTemplate } from './load/cel-source.js';
export { buildLoadedSkill } from './load/from-source.js';
