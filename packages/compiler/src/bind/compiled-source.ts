import { isScalar, type Node } from 'yaml';
import type { Range } from '../diagnostics/diagnostic.js';
import type { ExprNode, TemplateAst } from '../expr/ast.js';
import type { ExprDiagnostic } from '../expr/expr-diagnostic.js';
import { parseExpression } from '../expr/parser.js';
import { scalarOffsetMap, type OffsetMap } from '../expr/position.js';
import { parseTemplate } from '../expr/template.js';
import type { SourceFile } from '../source/source-file.js';

/** `[offset in the value, line, column]`: see "Source map" in spec/ir.md. */
export type Anchor = [number, number, number];

/** One expression or template of a skill, parsed, with everything the IR and diagnostics need. */
export interface CompiledSource {
  kind: 'expression' | 'template';
  /** The text as the author wrote it, after YAML unquoting. */
  src: string;
  /** Undefined when the text has syntax errors. */
  ast: ExprNode | TemplateAst | undefined;
  /** Syntax diagnostics, offsets into `src`. */
  diagnostics: ExprDiagnostic[];
  /** Value offset → source offset. */
  mapOffset: OffsetMap;
  /** The YAML node's range (start to value end), as the IR source map writes it. */
  range: Range;
  anchors: Anchor[];
}

/**
 * Anchors of a scalar's value: a new one wherever consecutive value characters stop being
 * consecutive columns of one line in the file, so `anchor + (o - offset)` is exact for every `o`.
 */
function anchorsOf(value: string, mapOffset: OffsetMap, source: SourceFile): Anchor[] {
  const text = source.text;
  const anchors: Anchor[] = [];
  let anchorOffset = 0;
  let anchorLine = 0;
  let anchorColumn = 0;
  let previous = -2;
  for (let o = 0; o < value.length; o++) {
    const at = mapOffset(o);
    // Fast path: the next code unit of the same line (not after a line break or inside a surrogate pair).
    if (o > 0 && at === previous + 1) {
      const c = text.charCodeAt(previous);
      if (c !== 10 && c !== 13 && !(c >= 0xd800 && c <= 0xdbff)) {
        previous = at;
        continue;
      }
    }
    previous = at;
    const pos = source.positionAt(at);
    if (anchors.length > 0 && pos.line === anchorLine && pos.column === anchorColumn + (o - anchorOffset)) continue;
    anchorOffset = o;
    anchorLine = pos.line;
    anchorColumn = pos.column;
    anchors.push([o, pos.line, pos.column]);
  }
  if (anchors.length === 0) {
    const pos = source.positionAt(mapOffset(0));
    anchors.push([0, pos.line, pos.column]);
  }
  return anchors;
}

/**
 * Parses the string scalar `node` as an expression or a template. Returns undefined when the
 * node is not a string scalar (the schema stage reports that).
 */
export function compileScalar(node: Node | null | undefined, kind: CompiledSource['kind'], source: SourceFile): CompiledSource | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const src = node.value;
  const mapOffset = scalarOffsetMap(source.text, node);
  const parsed = kind === 'expression' ? parseExpression(src) : parseTemplate(src);
  return {
    kind,
    src,
    ast: parsed.ast,
    diagnostics: parsed.diagnostics,
    mapOffset,
    range: source.rangeAt(node.range[0], node.range[1]),
    anchors: anchorsOf(src, mapOffset, source),
  };
}
