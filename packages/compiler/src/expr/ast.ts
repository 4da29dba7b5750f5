/**
 * The expression and template AST: plain, JSON-serializable data (it is stored in the IR).
 * Every node carries `start`/`end` offsets (end exclusive) into the text it was parsed from;
 * `toDiagnostics` maps them back to the YAML file. Numbers that JSON cannot hold exactly are
 * kept as their decimal text (`int`, `uint`) and bytes as lower-case hex.
 *
 * The parser builds every node with its members in sorted (UTF-16 code unit) order, optional ones
 * at their place, as the IR's canonical JSON orders them: the emitter serializes the ASTs as they
 * are, without walking or copying them (test/expr/ast-key-order.test.ts checks every kind).
 */

export interface Span {
  start: number;
  end: number;
}

/** A literal: `null`, a bool, a number (kept as its source or decimal text), a string or bytes. */
export type LiteralNode =
  | (Span & { kind: 'null' })
  | (Span & { kind: 'bool'; value: boolean })
  /** Decimal text of a signed 64-bit integer. */
  | (Span & { kind: 'int'; value: string })
  /** Decimal text of an unsigned 64-bit integer. */
  | (Span & { kind: 'uint'; value: string })
  /** Source text of the double literal (JSON cannot hold every double, e.g. `1e999`). */
  | (Span & { kind: 'double'; value: string })
  | (Span & { kind: 'string'; value: string })
  /** Lower-case hex of the bytes. */
  | (Span & { kind: 'bytes'; value: string });

export interface IdentNode extends Span {
  kind: 'ident';
  name: string;
}

/** `operand.field`; `fieldStart` is the offset of the field name, where unknown-field errors point. */
export interface SelectNode extends Span {
  kind: 'select';
  operand: ExprNode;
  field: string;
  fieldStart: number;
}

export interface IndexNode extends Span {
  kind: 'index';
  operand: ExprNode;
  index: ExprNode;
  /** Offset of the `[`. */
  opStart: number;
}

/** A function call: global `fn(args)` or receiver style `target.fn(args)`. */
export interface CallNode extends Span {
  kind: 'call';
  fn: string;
  fnStart: number;
  target?: ExprNode;
  args: ExprNode[];
}

export interface UnaryNode extends Span {
  kind: 'unary';
  op: '!' | '-';
  operand: ExprNode;
}

/** The binary operators, lowest precedence first (`||`) to multiplicative (`*`, `/`, `%`). */
export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '+' | '-' | '*' | '/' | '%';

export interface BinaryNode extends Span {
  kind: 'binary';
  op: BinaryOp;
  left: ExprNode;
  right: ExprNode;
  /** Offset of the operator, where operator errors point. */
  opStart: number;
  opEnd: number;
}

export interface ConditionalNode extends Span {
  kind: 'conditional';
  test: ExprNode;
  then: ExprNode;
  otherwise: ExprNode;
}

export interface ListNode extends Span {
  kind: 'list';
  elements: ExprNode[];
}

export interface MapNode extends Span {
  kind: 'map';
  entries: { key: ExprNode; value: ExprNode }[];
}

/** `has(operand.field)`: true when the field is present, without evaluating it. */
export interface HasNode extends Span {
  kind: 'has';
  operand: ExprNode;
  field: string;
  fieldStart: number;
}

/** The CEL comprehension macros a list or map can be called with (`list.all(x, x > 0)`). */
export type MacroName = 'all' | 'exists' | 'exists_one' | 'map' | 'filter';

/**
 * A macro over a list (elements) or map (keys): `range.all(x, body)`, `range.map(x, body)`,
 * `range.map(x, filter, body)` ...
 */
export interface ComprehensionNode extends Span {
  kind: 'comprehension';
  macro: MacroName;
  range: ExprNode;
  variable: string;
  /** The predicate of the 3-argument `map(x, filter, transform)`. */
  filter?: ExprNode;
  body: ExprNode;
  fnStart: number;
}

/** Any expression node; `kind` tells which. */
export type ExprNode =
  | LiteralNode
  | IdentNode
  | SelectNode
  | IndexNode
  | CallNode
  | UnaryNode
  | BinaryNode
  | ConditionalNode
  | ListNode
  | MapNode
  | HasNode
  | ComprehensionNode;

// Templates ---------------------------------------------------------------------------------

export interface TextNode extends Span {
  kind: 'text';
  text: string;
}

/** `{{ expr }}` */
export interface InterpolationNode extends Span {
  kind: 'interpolation';
  expr: ExprNode;
}

/** `{{#if a}}…{{else if b}}…{{else}}…{{/if}}` */
export interface IfNode extends Span {
  kind: 'if';
  branches: { test: ExprNode; body: TemplateNode[] }[];
  otherwise?: TemplateNode[];
}

/** `{{#each list as item, index}}…{{/each}}` (a map iterates its keys). */
export interface EachNode extends Span {
  kind: 'each';
  list: ExprNode;
  item: string;
  itemStart: number;
  index?: string;
  body: TemplateNode[];
}

/** A piece of a template body: literal text, `{{ expr }}`, an `#if` block or an `#each` block. */
export type TemplateNode = TextNode | InterpolationNode | IfNode | EachNode;

/** A parsed template: the root of a `{{ }}` template's AST (see {@link parseTemplate}). */
export interface TemplateAst {
  kind: 'template';
  body: TemplateNode[];
}
