/**
 * A problem in an expression or template, positioned by offsets into the text that was parsed.
 * `toDiagnostics` turns these into file diagnostics (line:col in the YAML file).
 */
export interface ExprDiagnostic {
  code: string;
  message: string;
  start: number;
  end: number;
  hint?: string;
  severity?: 'error' | 'warning';
}

/** Stable SDL4xxx codes (documented in spec/diagnostics.md). */
export const ExprCode = {
  /** Unexpected character or unterminated string/bytes literal. */
  Lexical: 'SDL4001',
  /** The tokens do not form an expression (unexpected token, missing `)`, ...). */
  Syntax: 'SDL4002',
  /** Nesting too deep or expression too large to parse safely. */
  TooComplex: 'SDL4003',
  /** A literal that is not valid: integer out of range, bad escape, bad UTF-8. */
  BadLiteral: 'SDL4004',
  /** A reserved word used as a name. */
  Reserved: 'SDL4005',
  /** Wrong use of a macro (`has`, `all`, `exists`, `exists_one`, `map`, `filter`). */
  BadMacro: 'SDL4006',
  /** A template tag `{{` without its closing `}}`. */
  UnclosedTag: 'SDL4010',
  /** A template block tag that is unknown or closes the wrong block. */
  BadBlock: 'SDL4011',
  /** A `{{#if}}` or `{{#each}}` without its closing tag. */
  UnclosedBlock: 'SDL4012',
  /** Malformed `{{#each list as name, index}}` header. */
  BadEach: 'SDL4013',
  /** A variable that is not in scope. */
  UnknownVariable: 'SDL4101',
  /** A field that the schema does not declare. */
  UnknownField: 'SDL4102',
  /** An operator or function applied to operand types it does not accept. */
  NoOverload: 'SDL4103',
  /** A function that does not exist, or a call with the wrong number of arguments. */
  UnknownFunction: 'SDL4104',
  /** The expression's type is not what the place requires (`when:` bool, `for_each:` list). */
  WrongType: 'SDL4105',
  /** A constant regular expression that is invalid or unsupported. */
  BadRegex: 'SDL4106',
  /** A map key or list element that cannot be present (e.g. missing key known at compile time). */
  NoSuchKey: 'SDL4201',
  /** int/uint overflow, or a conversion out of range. */
  Overflow: 'SDL4202',
  /** Division or modulo by zero. */
  DivisionByZero: 'SDL4203',
  /** Operand types without a matching overload, found at run time (values of type dyn). */
  RuntimeNoOverload: 'SDL4204',
  /** An invalid argument: bad conversion input, invalid regex, index out of range. */
  InvalidArgument: 'SDL4205',
  /** A sandbox limit was hit: evaluation steps, string/list size, regex cost, depth. */
  LimitExceeded: 'SDL4210',
} as const;
