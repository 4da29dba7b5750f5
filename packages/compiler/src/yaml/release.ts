import { ParsedFromCst, type ParsedSkill, reparseOnRead } from './parse.js';

/**
 * Lets a parsed skill's YAML nodes go once everything a build needs from them has been taken
 * (compiled sources, node ranges, the plain value). The document is a tree of objects some twenty
 * times the size of the text; keeping a thousand of them alive made the garbage collector copy them
 * again and again during a large build. If a later stage still asks for them (to place a diagnostic),
 * the document is parsed again from the kept text, with the same options, so it is the same document.
 */
export function releaseDocument(parsed: ParsedSkill): void {
  if (parsed instanceof ParsedFromCst) return parsed.release();
  reparseOnRead(parsed);
  Object.defineProperty(parsed, 'contents', {
    configurable: true,
    enumerable: true,
    get: () => parsed.document.contents,
    set: (value: unknown) => {
      Object.defineProperty(parsed, 'contents', { configurable: true, enumerable: true, writable: true, value });
    },
  });
}
