import { type Document, parseDocument } from 'yaml';
import { type ParsedSkill, YAML_OPTIONS } from './parse.js';

/**
 * Lets a parsed skill's YAML document go once everything a build needs from it has been taken
 * (compiled sources, node ranges, the plain value). The document is a tree of objects some twenty
 * times the size of the text; keeping a thousand of them alive made the garbage collector copy them
 * again and again during a large build. If a later stage still asks for it (to place a diagnostic),
 * it is parsed again from the kept text, with the same options, so it is the same document.
 */
export function releaseDocument(parsed: ParsedSkill): void {
  let document: Document.Parsed | undefined;
  Object.defineProperty(parsed, 'document', {
    configurable: true,
    enumerable: true,
    get: () => (document ??= parseDocument(parsed.source.text, YAML_OPTIONS)),
    set: (value: Document.Parsed) => {
      document = value;
    },
  });
}
