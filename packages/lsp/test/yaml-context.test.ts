import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { yamlContext } from '../src/yaml-context.js';

/** A block-style YAML tree: mappings of identifier keys, lists of mappings, scalars. */
type Tree = { kind: 'map'; entries: [string, Tree][] } | { kind: 'list'; items: Tree[] } | { kind: 'scalar' };

const key = fc.stringMatching(/^[a-z][a-z_]{0,6}$/);
const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree; map: Tree }>((tie) => ({
  map: fc.uniqueArray(fc.tuple(key, tie('tree')), { minLength: 1, maxLength: 4, selector: ([k]) => k }).map((entries) => ({ kind: 'map' as const, entries })),
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant({ kind: 'scalar' as const }), tie('map'), fc.array(tie('map'), { minLength: 1, maxLength: 3 }).map((items) => ({ kind: 'list' as const, items }))),
})).map;

interface KeyLine {
  line: number;
  /** Text of the line up to the end of the key. */
  before: string;
  /** The path of the mapping holding the key. */
  path: (string | number)[];
}

/** Renders a tree as block YAML (lists as `- key: …`, with the dash at the parent key's indentation + 2, or + 0 when `flush`). */
function render(root: Tree, flush: boolean): { lines: string[]; keys: KeyLine[] } {
  const lines: string[] = [];
  const keys: KeyLine[] = [];
  const map = (t: Extract<Tree, { kind: 'map' }>, indent: number, path: (string | number)[], firstPrefix?: string) => {
    t.entries.forEach(([k, v], i) => {
      const lead = i === 0 && firstPrefix !== undefined ? firstPrefix : ' '.repeat(indent);
      keys.push({ line: lines.length, before: `${lead}${k}`, path });
      if (v.kind === 'scalar') lines.push(`${lead}${k}: value`);
      else if (v.kind === 'map') {
        lines.push(`${lead}${k}:`);
        map(v, indent + 2, [...path, k]);
      } else {
        lines.push(`${lead}${k}:`);
        const dash = flush ? indent : indent + 2;
        v.items.forEach((item, n) => map(item as Extract<Tree, { kind: 'map' }>, dash + 2, [...path, k, n], `${' '.repeat(dash)}- `));
      }
    });
  };
  map(root as Extract<Tree, { kind: 'map' }>, 0, []);
  return { lines, keys };
}

describe('yamlContext', () => {
  it.each([false, true])('finds the mapping of any key being typed from indentation and list items (flush lists: %s)', (flush) => {
    fc.assert(
      fc.property(tree, fc.nat(), (root, pick) => {
        const { lines, keys } = render(root, flush);
        const target = keys[pick % keys.length]!;
        const context = yamlContext(lines, target.line, target.before);
        expect(context).toMatchObject({ kind: 'key', path: target.path });
      }),
      { numRuns: 300 },
    );
  });

  it('reads values, flow mappings and flow lists on the cursor line', () => {
    const lines = ['steps:', '  - id: a', '    with: { text: x, other: y }', '    engine: cl', 'engines:', '  prefer: [claude, op'];
    expect(yamlContext(lines, 3, '    engine: cl')).toEqual({ kind: 'value', path: ['steps', 0], key: 'engine', prefix: 'cl' });
    expect(yamlContext(lines, 2, '    with: { text: x, ot')).toEqual({ kind: 'key', path: ['steps', 0, 'with'], prefix: 'ot' });
    expect(yamlContext(lines, 2, '    with: { text: ')).toEqual({ kind: 'value', path: ['steps', 0, 'with'], key: 'text', prefix: '' });
    expect(yamlContext(lines, 5, '  prefer: [claude, op')).toEqual({ kind: 'value', path: ['engines'], key: 'prefer', item: 1, prefix: 'op' });
  });
});
