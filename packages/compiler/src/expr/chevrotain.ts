import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * chevrotain, from the single bundled file its package ships (`lib/chevrotain.min.mjs`) rather
 * than its package entry, which loads the library's sources as some 680 modules (lodash-es among
 * them): 0.3–0.9 s of every `skillc` start on a 2-core machine against ~50 ms for the bundle.
 * The bundle is the same release (the version is pinned exactly; a test compares `VERSION`); it
 * is not in the package's `exports`, so it is found beside the entry, and when a future layout
 * moves it the package entry is used instead.
 */
const require = createRequire(import.meta.url);
const entry = require.resolve('chevrotain');
const bundle = path.join(path.dirname(entry), '..', 'chevrotain.min.mjs');
const chevrotain = require(existsSync(bundle) ? bundle : entry) as typeof import('chevrotain');

export const { createToken, EmbeddedActionsParser, EOF, Lexer, VERSION } = chevrotain;
export type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
/** chevrotain's lexer instance type (the value above is its class). */
export type Lexer = import('chevrotain').Lexer;
