import type { ExprNode, TemplateAst } from '../expr/ast.js';

/** One `steps.<id>` (or `steps["id"]`) read in an expression or template; offsets into its text. */
export interface StepReference {
  /** The step id read, or undefined when `steps` is used without a constant id (`steps[x]`, bare `steps`). */
  id: string | undefined;
  start: number;
  end: number;
}

const isStepsIdent = (node: unknown): boolean =>
  node !== null && typeof node === 'object' && (node as ExprNode).kind === 'ident' && (node as { name: string }).name === 'steps';

/**
 * Every read of a step's output in an AST, in source order. The step graph (`depends_on`) is built
 * from these; a macro variable named `steps` would shadow the global, but such a name is never
 * bound by the skill's scope, so treating it as a read is the safe side (an extra dependency).
 */
export function stepReferences(ast: ExprNode | TemplateAst): StepReference[] {
  const out: StepReference[] = [];
  // Explicit stack: ASTs come from untrusted text (the parser bounds depth, this never recurses anyway).
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    const n = node as Record<string, unknown> & { kind?: string };
    if (n.kind === 'select' && isStepsIdent(n.operand)) {
      out.push({ id: n.field as string, start: n.fieldStart as number, end: n.end as number });
      continue;
    }
    if (n.kind === 'index' && isStepsIdent(n.operand)) {
      const index = n.index as ExprNode;
      out.push(index.kind === 'string' ? { id: index.value, start: index.start, end: index.end } : { id: undefined, start: n.start as number, end: n.end as number });
      if (index.kind !== 'string') stack.push(index);
      continue;
    }
    if (n.kind === 'has' && isStepsIdent(n.operand)) {
      out.push({ id: n.field as string, start: n.fieldStart as number, end: n.end as number });
      continue;
    }
    if (isStepsIdent(n)) {
      out.push({ id: undefined, start: n.start as number, end: n.end as number });
      continue;
    }
    const values = Object.values(n);
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && typeof values[i] === 'object') stack.push(values[i]);
  }
  return out.sort((a, b) => a.start - b.start);
}
