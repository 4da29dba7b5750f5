import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatGraph, resolveProject, type ResolvedProject } from '@sdl/compiler';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('formatGraph', () => {
  const diamond = resolveProject([path.join(fixtures, 'diamond/app.skill.yaml')]);

  it('tree: one line per edge, shared leaves repeated', () => {
    expect(formatGraph(diamond, 'tree')).toBe(
      [
        'app@1.0.0 (app.skill.yaml)',
        '├─ left: left@1.4.0 (lib/left.skill.yaml)',
        '│  └─ base: base@3.2.0 (lib/base.skill.yaml)',
        '└─ right: right@2.1.7 (lib/right.skill.yaml)',
        '   └─ shared: base@3.2.0 (lib/base.skill.yaml)',
        '',
      ].join('\n'),
    );
  });

  it('tree: marks a cycle instead of recursing', () => {
    const cycle = resolveProject([path.join(fixtures, 'cycle/a.skill.yaml')]);
    expect(formatGraph(cycle, 'tree').trimEnd().split('\n').at(-1)).toBe('      └─ back_to_a: a@1.0.0 (a.skill.yaml) (cycle)');
  });

  it('escapes labels for DOT and Mermaid', () => {
    const dot = formatGraph(diamond, 'dot');
    expect(dot).toContain('"lib/right.skill.yaml" -> "lib/base.skill.yaml" [label="shared >=3.1.0 <4"];');
    const mermaid = formatGraph(diamond, 'mermaid');
    expect(mermaid).toContain('-->|"shared #gt;=3.1.0 #lt;4"|');
    const odd: ResolvedProject = {
      ...diamond,
      skills: new Map([...diamond.skills].map(([id, s]) => [id, { ...s, name: id === 'app.skill.yaml' ? 'a"b\nc<d>' : s.name }])),
    };
    expect(formatGraph(odd, 'dot')).toContain('[label="a\\"b\\nc<d>@1.0.0\\napp.skill.yaml"]');
    expect(formatGraph(odd, 'mermaid')).toContain('["a#quot;b c#lt;d#gt;@1.0.0<br/>app.skill.yaml"]');
  });
});
