import { closureOf } from './graph-queries.js';
import type { ResolvedProject, ResolvedSkill } from './types.js';

/** Output formats of `skillc graph`. */
export type GraphFormat = 'tree' | 'dot' | 'mermaid';

const label = (s: ResolvedSkill): string => `${s.name}@${s.version}`;

/**
 * Renders the dependency graph. `tree` prints each top-level root (one no other root uses) with its
 * dependencies (`├─`/`└─`, like `npm ls`); a skill already printed elsewhere is marked `(deduped)` and a back edge `(cycle)`.
 * `dot` (Graphviz) and `mermaid` list every node and edge once. Output depends only on the
 * resolved set (sorted ids), never on the machine or the working directory.
 */
export function formatGraph(project: ResolvedProject, format: GraphFormat): string {
  switch (format) {
    case 'tree':
      return formatTree(project);
    case 'dot':
      return formatDot(project);
    case 'mermaid':
      return formatMermaid(project);
  }
}

function formatTree(project: ResolvedProject): string {
  const lines: string[] = [];
  const printed = new Set<string>();
  // Depth-first with an explicit stack (deep chains must not overflow the call stack). Children are
  // pushed in reverse so they print in alias order; an `exit` item leaves the current path.
  type Item = { id: string; alias: string; prefix: string; last: boolean } | { exit: string };
  for (const rootId of topLevel(project)) {
    const root = project.skills.get(rootId);
    if (!root) continue;
    lines.push(`${label(root)} (${root.path})`);
    printed.add(rootId);
    const onPath = new Set([rootId]);
    const stack: Item[] = [];
    const pushChildren = (id: string, prefix: string) => {
      const deps = project.skills.get(id)!.dependencies.filter((d) => project.skills.has(d.target));
      for (let i = deps.length - 1; i >= 0; i--) {
        stack.push({ id: deps[i]!.target, alias: deps[i]!.alias, prefix, last: i === deps.length - 1 });
      }
    };
    pushChildren(rootId, '');
    while (stack.length > 0) {
      const item = stack.pop()!;
      if ('exit' in item) {
        onPath.delete(item.exit);
        continue;
      }
      const { id, alias, prefix, last } = item;
      const target = project.skills.get(id)!;
      const head = `${prefix}${last ? '└─ ' : '├─ '}${alias}: ${label(target)} (${target.path})`;
      if (onPath.has(id)) {
        lines.push(`${head} (cycle)`);
      } else if (printed.has(id) && target.dependencies.length > 0) {
        lines.push(`${head} (deduped)`);
      } else {
        lines.push(head);
        printed.add(id);
        onPath.add(id);
        stack.push({ exit: id });
        pushChildren(id, `${prefix}${last ? '   ' : '│  '}`);
      }
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** The roots no other root reaches (like `npm ls` shows the top level); all roots if that leaves none. */
function topLevel(project: ResolvedProject): string[] {
  const reachedFromOthers = new Set<string>();
  for (const root of project.roots) {
    for (const id of closureOf(project, root)) if (id !== root) reachedFromOthers.add(id);
  }
  const top = project.roots.filter((id) => !reachedFromOthers.has(id));
  return top.length > 0 ? top : project.roots;
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n|\r/g, '\\n')}"`;
}

function formatDot(project: ResolvedProject): string {
  const lines = ['digraph skills {', '  rankdir=LR;', '  node [shape=box];'];
  for (const skill of project.skills.values()) {
    // `\n` is DOT's line break inside a label, so it is added after quoting the two parts.
    lines.push(`  ${quote(skill.id)} [label=${quote(label(skill)).slice(0, -1)}\\n${quote(skill.path).slice(1)}];`);
  }
  for (const skill of project.skills.values()) {
    for (const dep of skill.dependencies) {
      const attrs = dep.range !== undefined ? `${dep.alias} ${dep.range}` : dep.alias;
      lines.push(`  ${quote(skill.id)} -> ${quote(dep.target)} [label=${quote(attrs)}];`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function formatMermaid(project: ResolvedProject): string {
  // Mermaid node ids must be plain identifiers; number them in sorted-id order.
  const ids = new Map<string, string>();
  for (const id of project.skills.keys()) ids.set(id, `s${ids.size}`);
  // Mermaid labels are HTML-ish: entity-escape what would end the label or open a tag.
  const text = (t: string) =>
    t.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\r?\n|\r/g, ' ');
  const lines = ['graph LR'];
  for (const skill of project.skills.values()) {
    lines.push(`  ${ids.get(skill.id)}["${text(label(skill))}<br/>${text(skill.path)}"]`);
  }
  for (const skill of project.skills.values()) {
    for (const dep of skill.dependencies) {
      const edge = dep.range !== undefined ? `${dep.alias} ${dep.range}` : dep.alias;
      lines.push(`  ${ids.get(skill.id)} -->|"${text(edge)}"| ${ids.get(dep.target)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
