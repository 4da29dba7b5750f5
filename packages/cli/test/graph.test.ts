import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '@sdl/cli';

function capture(cwd: string): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    cwd,
    env: {},
  };
  return { io, out: () => out, err: () => err };
}

const skill = (name: string, version: string, uses: Record<string, string> = {}) =>
  [
    'sdl: "1.0"',
    `name: ${name}`,
    `version: ${version}`,
    `description: The ${name} skill.`,
    ...(Object.keys(uses).length ? ['uses:', ...Object.entries(uses).map(([a, u]) => `  ${a}: ${u}`)] : []),
    '',
  ].join('\n');

// app → chunk, summarize (npm) ; summarize → chunk: a diamond with a package-provided skill.
const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'sdl-graph-')));
const files: Record<string, string> = {
  'package.json': '{}',
  'skills/app.skill.yaml': skill('app', '1.0.0', {
    chunk: '{ skill: ./chunk.skill.yaml, version: "^1.0.0" }',
    sum: '{ skill: text-tools/summarize }',
  }),
  'skills/chunk.skill.yaml': skill('chunk', '1.2.0'),
  'broken/bad.skill.yaml': skill('bad', '1.0.0', { loop: '{ skill: ./bad.skill.yaml }' }),
  'report/report.skill.yaml': skill('report', '1.0.0', {
    app: '{ skill: ../skills/app.skill.yaml }',
    sum: '{ skill: text-tools/summarize, version: ">=2 <3" }',
  }),
  'node_modules/text-tools/package.json': JSON.stringify({ name: 'text-tools', version: '2.0.0', sdl: { skills: { summarize: 's.skill.yaml' } } }),
  'node_modules/text-tools/s.skill.yaml': skill('summarize', '2.0.0', { split: '{ skill: ./split.skill.yaml, version: "~0.4" }' }),
  'node_modules/text-tools/split.skill.yaml': skill('split', '0.4.1'),
};
for (const [rel, text] of Object.entries(files)) {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

const EXPECTED = {
  tree: [
    'app@1.0.0 (skills/app.skill.yaml)',
    '├─ chunk: chunk@1.2.0 (skills/chunk.skill.yaml)',
    '└─ sum: summarize@2.0.0 (node_modules/text-tools/s.skill.yaml)',
    '   └─ split: split@0.4.1 (node_modules/text-tools/split.skill.yaml)',
    '',
  ].join('\n'),
  dot: [
    'digraph skills {',
    '  rankdir=LR;',
    '  node [shape=box];',
    '  "node_modules/text-tools/split.skill.yaml" [label="split@0.4.1\\nnode_modules/text-tools/split.skill.yaml"];',
    '  "npm:text-tools/summarize" [label="summarize@2.0.0\\nnode_modules/text-tools/s.skill.yaml"];',
    '  "skills/app.skill.yaml" [label="app@1.0.0\\nskills/app.skill.yaml"];',
    '  "skills/chunk.skill.yaml" [label="chunk@1.2.0\\nskills/chunk.skill.yaml"];',
    '  "npm:text-tools/summarize" -> "node_modules/text-tools/split.skill.yaml" [label="split ~0.4"];',
    '  "skills/app.skill.yaml" -> "skills/chunk.skill.yaml" [label="chunk ^1.0.0"];',
    '  "skills/app.skill.yaml" -> "npm:text-tools/summarize" [label="sum"];',
    '}',
    '',
  ].join('\n'),
  mermaid: [
    'graph LR',
    '  s0["split@0.4.1<br/>node_modules/text-tools/split.skill.yaml"]',
    '  s1["summarize@2.0.0<br/>node_modules/text-tools/s.skill.yaml"]',
    '  s2["app@1.0.0<br/>skills/app.skill.yaml"]',
    '  s3["chunk@1.2.0<br/>skills/chunk.skill.yaml"]',
    '  s1 -->|"split ~0.4"| s0',
    '  s2 -->|"chunk ^1.0.0"| s3',
    '  s2 -->|"sum"| s1',
    '',
  ].join('\n'),
};

describe('skillc graph', () => {
  it.each(Object.entries(EXPECTED))('prints the %s format, identically from any working directory', async (format, expected) => {
    const args = format === 'tree' ? [] : ['--format', format];
    const here = capture(root);
    expect(await main(['graph', 'skills/app.skill.yaml', ...args], here.io)).toBe(0);
    expect(here.out()).toBe(expected);
    expect(here.err()).toBe('');
    const elsewhere = capture(path.join(root, 'node_modules'));
    expect(await main(['graph', '../skills/app.skill.yaml', ...args], elsewhere.io)).toBe(0);
    expect(elsewhere.out()).toBe(expected);
  });

  it('expands directories, prints only top-level roots and marks a repeated subtree as deduped', async () => {
    const c = capture(root);
    expect(await main(['graph', 'skills', 'report'], c.io)).toBe(0);
    expect(c.out()).toBe(
      [
        'report@1.0.0 (report/report.skill.yaml)',
        '├─ app: app@1.0.0 (skills/app.skill.yaml)',
        '│  ├─ chunk: chunk@1.2.0 (skills/chunk.skill.yaml)',
        '│  └─ sum: summarize@2.0.0 (node_modules/text-tools/s.skill.yaml)',
        '│     └─ split: split@0.4.1 (node_modules/text-tools/split.skill.yaml)',
        '└─ sum: summarize@2.0.0 (node_modules/text-tools/s.skill.yaml) (deduped)',
        '',
      ].join('\n'),
    );
  });

  it('exits 2 with an SDL9001 report for a path that does not exist', async () => {
    const c = capture(root);
    expect(await main(['graph', 'skills/nope.skill.yaml'], c.io)).toBe(2);
    expect(c.out()).toBe('');
    expect(c.err()).toContain('skills/nope.skill.yaml:1:1: error SDL9001: cannot read `skills/nope.skill.yaml`: no such file or directory');
  });

  it('exits 1 and prints file:line:col diagnostics when resolution fails', async () => {
    const c = capture(root);
    expect(await main(['graph', 'broken/bad.skill.yaml'], c.io)).toBe(1);
    expect(c.out()).toBe('');
    expect(c.err()).toContain('broken/bad.skill.yaml:6:3: error SDL5008: dependency cycle: bad → bad');
    expect(c.err()).toContain('  loop: { skill: ./bad.skill.yaml }\n   |   ^^^^');
    expect(c.err()).toContain('  hint: skills cannot use each other in a loop');
  });

  it.each([
    [['graph', 'skills/app.skill.yaml', '--format', 'svg'], 'unknown --format `svg`'],
    [['graph'], 'give at least one skill file or directory'],
    [['graph', 'x.skill.yaml', '--colour'], 'Unknown option'],
  ])('exits 2 on bad usage: %j', async (argv, message) => {
    const c = capture(root);
    expect(await main(argv, c.io)).toBe(2);
    expect(c.err()).toContain(message);
    expect(c.err()).toContain('Usage: skillc graph');
  });
});
