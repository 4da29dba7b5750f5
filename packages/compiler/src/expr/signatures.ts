/**
 * Signatures and one-line documentation of the expression language's functions and macros, for
 * editors (completion, hover). A test checks that every entry of `GLOBAL_FUNCTIONS` and
 * `MEMBER_FUNCTIONS` has one here, so the table cannot fall behind the evaluator.
 */

/** How one function or macro is called and what it does. */
export interface FunctionSignature {
  /** The function's name as written in an expression. */
  name: string;
  /** `global` is called as `fn(x)`, `member` as `x.fn(...)`, `macro` as `list.fn(v, body)`. */
  style: 'global' | 'member' | 'macro';
  /** Each accepted form, e.g. `size(list|map|string|bytes) -> int`. */
  forms: string[];
  /** What it does, in one sentence. */
  doc: string;
}

/** Every built-in function and macro of SDL expressions; see spec/expressions.md. */
export const FUNCTION_SIGNATURES: readonly FunctionSignature[] = [
  { name: 'size', style: 'global', forms: ['size(string|bytes|list|map) -> int'], doc: 'Length in code points (string), bytes, elements or entries.' },
  { name: 'int', style: 'global', forms: ['int(int|uint|double|string) -> int'], doc: 'Converts to a signed 64-bit integer (doubles truncate toward zero).' },
  { name: 'uint', style: 'global', forms: ['uint(int|uint|double|string) -> uint'], doc: 'Converts to an unsigned 64-bit integer.' },
  { name: 'double', style: 'global', forms: ['double(int|uint|double|string) -> double'], doc: 'Converts to a double.' },
  { name: 'string', style: 'global', forms: ['string(int|uint|double|string|bool|bytes) -> string'], doc: 'Converts to its string form (bytes must be UTF-8).' },
  { name: 'bool', style: 'global', forms: ['bool(bool|string) -> bool'], doc: 'Converts `"true"`/`"false"` (and CEL\'s other spellings) to a bool.' },
  { name: 'bytes', style: 'global', forms: ['bytes(bytes|string) -> bytes'], doc: 'The UTF-8 bytes of a string.' },
  { name: 'type', style: 'global', forms: ['type(any) -> type'], doc: 'The type of a value, comparable with `int`, `string`, `list`, ...' },
  { name: 'dyn', style: 'global', forms: ['dyn(any) -> dyn'], doc: 'The value unchanged, with its static type forgotten.' },
  { name: 'matches', style: 'global', forms: ['matches(string, pattern: string) -> bool'], doc: 'Whether the string contains a match of the RE2 pattern.' },
  { name: 'size', style: 'member', forms: ['x.size() -> int'], doc: 'Same as `size(x)`.' },
  { name: 'contains', style: 'member', forms: ['s.contains(sub: string) -> bool'], doc: 'Whether `s` contains `sub`.' },
  { name: 'startsWith', style: 'member', forms: ['s.startsWith(prefix: string) -> bool'], doc: 'Whether `s` starts with `prefix`.' },
  { name: 'endsWith', style: 'member', forms: ['s.endsWith(suffix: string) -> bool'], doc: 'Whether `s` ends with `suffix`.' },
  { name: 'matches', style: 'member', forms: ['s.matches(pattern: string) -> bool'], doc: 'Whether `s` contains a match of the RE2 pattern.' },
  { name: 'lowerAscii', style: 'member', forms: ['s.lowerAscii() -> string'], doc: 'ASCII letters to lower case; other characters unchanged.' },
  { name: 'upperAscii', style: 'member', forms: ['s.upperAscii() -> string'], doc: 'ASCII letters to upper case; other characters unchanged.' },
  { name: 'trim', style: 'member', forms: ['s.trim() -> string'], doc: 'Removes leading and trailing white space.' },
  { name: 'replace', style: 'member', forms: ['s.replace(from: string, to: string) -> string'], doc: 'Replaces every occurrence of `from` (not a pattern) with `to`.' },
  { name: 'split', style: 'member', forms: ['s.split(separator: string) -> list(string)'], doc: 'Splits at each separator; an empty separator splits into code points.' },
  { name: 'join', style: 'member', forms: ['list.join() -> string', 'list.join(separator: string) -> string'], doc: 'Joins a list of strings, with the separator between them.' },
  { name: 'all', style: 'macro', forms: ['list.all(x, predicate) -> bool'], doc: 'True when the predicate holds for every element (a map: every key).' },
  { name: 'exists', style: 'macro', forms: ['list.exists(x, predicate) -> bool'], doc: 'True when the predicate holds for at least one element.' },
  { name: 'exists_one', style: 'macro', forms: ['list.exists_one(x, predicate) -> bool'], doc: 'True when the predicate holds for exactly one element.' },
  { name: 'map', style: 'macro', forms: ['list.map(x, transform) -> list', 'list.map(x, filter, transform) -> list'], doc: 'The list of each (filtered) element transformed.' },
  { name: 'filter', style: 'macro', forms: ['list.filter(x, predicate) -> list'], doc: 'The elements for which the predicate holds.' },
  { name: 'has', style: 'macro', forms: ['has(x.field) -> bool'], doc: 'Whether the field is present, without reading it.' },
];
