import { isMap, isPair, isScalar, isSeq, type Pair, type Scalar } from 'yaml';

/** What `walkDocument` calls: for each pair before its key and value, and for each scalar. */
export interface NodeWalker {
  pair?(pair: Pair<unknown, unknown>): void;
  scalar?(scalar: Scalar): void;
}

/**
 * Calls `walker` on every pair and scalar below `root` in document order (depth first, a pair
 * before its key and its key before its value), the order in which `yaml`'s `visit` calls its
 * `Pair` and `Scalar` visitors. It is a plain loop with no ancestor paths, for the passes that
 * run on every file; it never changes the tree and cannot be stopped early.
 */
export function walkNodes(root: unknown, walker: NodeWalker): void {
  const onPair = walker.pair;
  const onScalar = walker.scalar;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (isScalar(node)) {
      if (onScalar) onScalar(node);
    } else if (isMap(node) || isSeq(node)) {
      const items = (node as { items: unknown[] }).items;
      for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]);
    } else if (isPair(node)) {
      if (onPair) onPair(node);
      stack.push(node.value, node.key);
    }
  }
}

