/**
 * The canonical key orders `skillc fmt` writes: the order of the language reference
 * (spec/sdl-1.md). Keys not listed keep their relative order after the listed ones.
 */

/** Top-level fields, in the order of the reference's table. */
export const TOP_LEVEL_KEY_ORDER: readonly string[] = [
  'sdl',
  'name',
  'version',
  'description',
  'inputs',
  'outputs',
  'requires',
  'engines',
  'uses',
  'tools',
  'steps',
  'return',
  'policies',
  'memory',
  'tests',
];

/** Fields of a step: identity and control flow first, then what it does, then its output. */
export const STEP_KEY_ORDER: readonly string[] = [
  'id',
  'description',
  'when',
  'for_each',
  'as',
  'concurrency',
  'engine',
  'use',
  'tool',
  'with',
  'prompt',
  'tools',
  'max_tool_iterations',
  'params',
  'output',
];

/** Fields of a prompt in the order a model reads them: system, examples, attachments, the user turn; then cache marks. */
export const PROMPT_KEY_ORDER: readonly string[] = ['system', 'messages', 'attach', 'user', 'cache'];

/** Fields of a test case. */
export const TEST_KEY_ORDER: readonly string[] = ['name', 'input', 'replies', 'expect'];

/** A comparator placing `order`'s keys first, in that order; others keep their place (stable sort). */
export function byKeyOrder(order: readonly string[]): (a: string, b: string) => number {
  const rank = (key: string) => {
    const at = order.indexOf(key);
    return at < 0 ? order.length : at;
  };
  return (a, b) => rank(a) - rank(b);
}
