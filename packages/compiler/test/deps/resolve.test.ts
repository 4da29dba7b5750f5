import { mkdirSync, readFileSync, realpathSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ResolutionCache, SourceFile, readSkillHeader, resolveProject, sha256, type Diagnostic } from '@sdl/compiler';
import { makeProject, removeProject, skill } from './temp-project.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (p: string) => path.join(fixtures, p);
const temps: string[] = [];
const temp = (files: Parameters<typeof makeProject>[0]) => {
  const root = makeProject(files);
  temps.push(root);
  return root;
};
afterAll(() => temps.forEach(removeProject));

const at = (d: Diagnostic) => `${path.basename(d.file)}:${d.range.start.line}:${d.range.start.column}`;

describe('readSkillHeader', () => {
  it('reads name, version and uses entries with their ranges', () => {
    const text = 'name: app\nversion: 1.2.0\nuses:\n  chunk: { skill: ./chunk.skill.yaml, version: "^1.0.0" }\n';
    const header = readSkillHeader(new SourceFile('app.skill.yaml', text));
    expect(header).toMatchObject({ name: 'app', version: '1.2.0', diagnostics: [] });
    expect(header.uses).toEqual([
      expect.objectContaining({
        alias: 'chunk',
        skill: './chunk.skill.yaml',
        range: '^1.0.0',
        aliasRange: { start: { line: 4, column: 3 }, end: { line: 4, column: 8 } },
        skillRange: { start: { line: 4, column: 19 }, end: { line: 4, column: 37 } },
        versionRange: { start: { line: 4, column: 48 }, end: { line: 4, column: 56 } },
      }),
    ]);
  });

  it('reports a uses entry without skill and unreadable YAML, and ignores everything else', () => {
    const noSkill = readSkillHeader(new SourceFile('a.yaml', 'name: a\nuses:\n  x: { version: "^1" }\nsteps: 7\n'));
    expect(noSkill.diagnostics.map((d) => [d.code, d.range.start])).toEqual([['SDL5011', { line: 3, column: 3 }]]);
    const broken = readSkillHeader(new SourceFile('b.yaml', 'name: [unclosed\n'));
    expect(broken.diagnostics[0]?.code).toBe('SDL5010');
  });
});

describe('resolveProject', () => {
  it('resolves a diamond to one copy of the shared skill', () => {
    const project = resolveProject([fixture('diamond/app.skill.yaml')]);
    expect(project.diagnostics).toEqual([]);
    expect(project.root).toBe(fixture('diamond'));
    expect([...project.skills.keys()]).toEqual(['app.skill.yaml', 'lib/base.skill.yaml', 'lib/left.skill.yaml', 'lib/right.skill.yaml']);
    const left = project.skills.get('lib/left.skill.yaml')!;
    const right = project.skills.get('lib/right.skill.yaml')!;
    expect(left.dependencies[0]!.target).toBe('lib/base.skill.yaml');
    expect(right.dependencies[0]!.target).toBe('lib/base.skill.yaml');
    expect(project.skills.get('lib/base.skill.yaml')).toMatchObject({ name: 'base', version: '3.2.0', source: 'path' });
  });

  it.each([
    ['a.skill.yaml', 'c.skill.yaml:6:3', 'dependency cycle: a → b → c → a', 'back_to_a'],
    ['b.skill.yaml', 'a.skill.yaml:6:3', 'dependency cycle: b → c → a → b', 'b'],
  ])('reports a cycle entered at %s with the whole loop at the closing entry', (entry, where, message, alias) => {
    const project = resolveProject([fixture(`cycle/${entry}`)]);
    expect(project.diagnostics.map((d) => [d.code, at(d), d.message])).toEqual([['SDL5008', where, message]]);
    expect(project.diagnostics[0]!.hint).toContain(`remove \`uses.${alias}\``);
  });

  it('reports two incompatible ranges for one skill at both entries', () => {
    const project = resolveProject([fixture('conflict/app.skill.yaml')]);
    const got = project.diagnostics.map((d) => [d.code, at(d)]);
    expect(got).toEqual([
      ['SDL5007', 'x.skill.yaml:6:46'],
      ['SDL5007', 'y.skill.yaml:6:46'],
    ]);
    expect(project.diagnostics[0]!.message).toMatch(/`\^1\.0\.0` here, but `\^2\.0\.0` \(.*y\.skill\.yaml:6:46\)/);
    expect(project.diagnostics[1]!.message).toMatch(/`\^2\.0\.0` here, but `\^1\.0\.0` \(.*x\.skill\.yaml:6:46\)/);
  });

  const errors = resolveProject([fixture('errors/app.skill.yaml')]);
  it.each([
    ['missing file with a did-you-mean', 'SDL5001', 'app.skill.yaml:6:21', 'cannot find `./chunkk.skill.yaml`', 'did you mean `chunk.skill.yaml`?'],
    ['unsatisfied range', 'SDL5006', 'app.skill.yaml:7:46', 'wants `chunk` `^2.0.0`, but', 'change the range to include 1.3.0'],
    ['invalid range', 'SDL5005', 'app.skill.yaml:8:50', 'not a valid semver range: `not a range`', '`^1.2.0`'],
    ['bare file name', 'SDL5012', 'app.skill.yaml:9:18', 'does not start with `./`', 'write `./chunk.skill.yaml`'],
    ['../ out of the root', 'SDL5004', 'app.skill.yaml:10:20', 'outside the project root', 'inside the project'],
    ['absolute path', 'SDL5004', 'app.skill.yaml:11:22', 'is an absolute path', 'relative to this file'],
    ['package not installed', 'SDL5002', 'app.skill.yaml:12:19', 'npm package `not-installed` is not installed', 'npm install not-installed'],
    ['dependency without version', 'SDL5009', 'app.skill.yaml:13:23', 'has no `version`', 'semver `version:`'],
  ])('%s', (_name, code, where, message, hint) => {
    const d = errors.diagnostics.find((x) => at(x) === where);
    expect(d, `no diagnostic at ${where}: ${JSON.stringify(errors.diagnostics.map(at))}`).toBeDefined();
    expect(d!.code).toBe(code);
    expect(d!.message).toContain(message);
    expect(d!.hint).toContain(hint);
  });
  it('reports each bad entry exactly once', () => {
    expect(errors.diagnostics).toHaveLength(8);
  });

  it('refuses a symlink that points out of the project, but follows one that stays inside', () => {
    const outside = temp({ 'secret.skill.yaml': skill('secret', '1.0.0') });
    const root = temp({
      'package.json': '{}',
      'app.skill.yaml': skill('app', '1.0.0', { evil: { skill: './lib/evil.skill.yaml' }, fine: { skill: './alias.skill.yaml' } }),
      'lib/evil.skill.yaml': { symlink: path.join(outside, 'secret.skill.yaml') },
      'real/ok.skill.yaml': skill('ok', '1.0.0'),
      'alias.skill.yaml': { symlink: './real/ok.skill.yaml' },
    });
    const project = resolveProject(['app.skill.yaml'], { cwd: root });
    expect(project.diagnostics.map((d) => [d.code, at(d)])).toEqual([['SDL5004', 'app.skill.yaml:6:18']]);
    expect(project.diagnostics[0]!.message).toContain('through a symbolic link');
    expect(project.skills.get('app.skill.yaml')!.dependencies.map((d) => d.target)).toEqual(['real/ok.skill.yaml']);
  });

  it('reports an unreadable dependency at the uses: entry and its own problems in its file', () => {
    const root = temp({
      'package.json': '{}',
      'app.skill.yaml': skill('app', '1.0.0', {
        broken: { skill: './broken.skill.yaml' },
        huge: { skill: './huge.skill.yaml' },
        bom: { skill: './bom.skill.yaml', version: '^1.0.0' },
      }),
      'broken.skill.yaml': 'name: broken\nversion: 1.0.0\nuses: { x: [unclosed\n',
      'huge.skill.yaml': `name: huge\nversion: 1.0.0\ndescription: "${'x'.repeat(1024 * 1024)}"\n`,
      'bom.skill.yaml': `\uFEFF${skill('bom', '1.0.0')}`,
    });
    const project = resolveProject(['app.skill.yaml'], { cwd: root });
    expect(project.diagnostics.map((d) => [d.code, at(d), d.severity])).toEqual([
      ['SDL5010', 'app.skill.yaml:6:20', 'error'],
      ['SDL5010', 'app.skill.yaml:7:18', 'error'],
      ['SDL1002', 'bom.skill.yaml:1:1', 'warning'],
      ['SDL5010', 'broken.skill.yaml:4:1', 'error'],
      ['SDL1009', 'huge.skill.yaml:1:1', 'error'],
    ]);
    expect(project.diagnostics[0]!.message).toContain('`broken.skill.yaml` cannot be read');
    expect(project.skills.get('bom.skill.yaml')).toMatchObject({ name: 'bom', version: '1.0.0' });
  });

  it('can leave the roots’ own parse problems to the front end', () => {
    const root = temp({ 'package.json': '{}', 'app.skill.yaml': 'name: app\nversion: 1.0.0\nuses:\n  x: { version: "^1" }\n' });
    expect(resolveProject(['app.skill.yaml'], { cwd: root }).diagnostics.map((d) => d.code)).toEqual(['SDL5011']);
    expect(resolveProject(['app.skill.yaml'], { cwd: root, skipRootHeaderDiagnostics: true }).diagnostics).toEqual([]);
  });

  it('refuses an input file outside an explicit root', () => {
    const root = temp({ 'inner/package.json': '{}', 'outer.skill.yaml': skill('outer', '1.0.0') });
    const project = resolveProject(['outer.skill.yaml'], { cwd: root, root: path.join(root, 'inner') });
    expect(project.diagnostics.map((d) => d.code)).toEqual(['SDL5004']);
  });

  it('finds the project root at the nearest sdl.lock or package.json', () => {
    const root = temp({
      'package.json': '{}',
      'skills/deep/app.skill.yaml': skill('app', '1.0.0', { up: { skill: '../../shared.skill.yaml' } }),
      'shared.skill.yaml': skill('shared', '1.0.0'),
    });
    const project = resolveProject([path.join(root, 'skills/deep/app.skill.yaml')]);
    expect(project.root).toBe(root);
    expect(project.diagnostics).toEqual([]);
    expect([...project.skills.keys()]).toEqual(['shared.skill.yaml', 'skills/deep/app.skill.yaml']);
  });
});

describe('skills from npm packages', () => {
  const pkg = (name: string, version: string, skills: Record<string, string>) =>
    JSON.stringify({ name, version, sdl: { skills } });

  it('walks node_modules up from the importing file, like Node, and handles scoped packages', () => {
    const root = temp({
      'package.json': '{}',
      'skills/app.skill.yaml': skill('app', '1.0.0', {
        sum: { skill: 'text-tools/summarize', version: '^1.2.0' },
        tr: { skill: '@acme/lang/translate' },
      }),
      'node_modules/text-tools/package.json': pkg('text-tools', '1.4.0', { summarize: './skills/summarize.skill.yaml' }),
      'node_modules/text-tools/skills/summarize.skill.yaml': skill('summarize', '1.4.0', { chunk: { skill: './chunk.skill.yaml' } }),
      'node_modules/text-tools/skills/chunk.skill.yaml': skill('chunk', '1.0.0'),
      'node_modules/@acme/lang/package.json': pkg('@acme/lang', '0.3.0', { translate: 'translate.skill.yaml' }),
      'node_modules/@acme/lang/translate.skill.yaml': skill('translate', '0.3.0'),
    });
    const project = resolveProject(['skills/app.skill.yaml'], { cwd: root });
    expect(project.diagnostics).toEqual([]);
    expect([...project.skills.keys()]).toEqual([
      'node_modules/text-tools/skills/chunk.skill.yaml',
      'npm:@acme/lang/translate',
      'npm:text-tools/summarize',
      'skills/app.skill.yaml',
    ]);
    expect(project.skills.get('npm:text-tools/summarize')).toMatchObject({
      source: 'npm',
      version: '1.4.0',
      path: 'node_modules/text-tools/skills/summarize.skill.yaml',
    });
  });

  it.each([
    ['a skill the package does not list (with a suggestion)', { skill: 'text-tools/sumarize' }, 'SDL5003', 'did you mean `summarize`?'],
    ['an unsatisfied range', { skill: 'text-tools/summarize', version: '^2.0.0' }, 'SDL5006', 'npm install text-tools@"^2.0.0"'],
    ['a package skill path leaving the package', { skill: 'text-tools/escape' }, 'SDL5004', 'inside the project'],
    ['a package without sdl.skills', { skill: 'plain/anything' }, 'SDL5003', 'sdl.skills'],
  ])('reports %s', (_name, use, code, hint) => {
    const root = temp({
      'package.json': '{}',
      'app.skill.yaml': skill('app', '1.0.0', { dep: use }),
      'node_modules/text-tools/package.json': pkg('text-tools', '1.4.0', {
        summarize: './summarize.skill.yaml',
        escape: '../../app.skill.yaml',
      }),
      'node_modules/text-tools/summarize.skill.yaml': skill('summarize', '1.4.0'),
      'node_modules/plain/package.json': '{"name":"plain","version":"1.0.0"}',
    });
    const project = resolveProject(['app.skill.yaml'], { cwd: root });
    expect(project.diagnostics.map((d) => [d.code, at(d)])).toEqual([[code, expect.stringMatching(/^app\.skill\.yaml:6:/)]]);
    expect(`${project.diagnostics[0]!.message} ${project.diagnostics[0]!.hint}`).toContain(hint);
  });

  const nested = (appRange: string, libRange: string) =>
    temp({
      'package.json': '{}',
      'app.skill.yaml': skill('app', '1.0.0', {
        tools: { skill: 'text-tools/summarize', version: appRange },
        lib: { skill: 'lib/helper' },
      }),
      'node_modules/text-tools/package.json': pkg('text-tools', '1.0.0', { summarize: './s.skill.yaml' }),
      'node_modules/text-tools/s.skill.yaml': skill('summarize', '1.0.0'),
      'node_modules/lib/package.json': pkg('lib', '1.0.0', { helper: './h.skill.yaml' }),
      'node_modules/lib/h.skill.yaml': skill('helper', '1.0.0', { tools: { skill: 'text-tools/summarize', version: libRange } }),
      'node_modules/lib/node_modules/text-tools/package.json': pkg('text-tools', '2.0.0', { summarize: './s.skill.yaml' }),
      'node_modules/lib/node_modules/text-tools/s.skill.yaml': skill('summarize', '2.0.0'),
    });

  it('dedupes nested copies to the highest version every range accepts', () => {
    const project = resolveProject(['app.skill.yaml'], { cwd: nested('>=1.0.0', '^2.0.0') });
    expect(project.diagnostics).toEqual([]);
    expect(project.skills.get('npm:text-tools/summarize')).toMatchObject({
      version: '2.0.0',
      path: 'node_modules/lib/node_modules/text-tools/s.skill.yaml',
    });
  });

  it('refuses nested copies when no installed version satisfies every range (ERESOLVE)', () => {
    const project = resolveProject(['app.skill.yaml'], { cwd: nested('<2.0.0', '>=1.5.0') });
    expect(project.diagnostics.map((d) => [d.code, at(d)])).toEqual([
      ['SDL5007', 'app.skill.yaml:6:52'],
      ['SDL5007', 'h.skill.yaml:6:52'],
    ]);
    expect(project.diagnostics[0]!.message).toMatch(/installed copies are 2\.0\.0 \(.*lib\/node_modules\/text-tools\/s\.skill\.yaml\), 1\.0\.0 /);
  });
});

describe('incremental cache', () => {
  it('re-reads only the file that changed, and re-parses only when its content hash changed', () => {
    const files: Record<string, string> = { 'package.json': '{}', 'leaf0.skill.yaml': skill('leaf0', '1.0.0') };
    const uses: Record<string, { skill: string }> = {};
    for (let i = 1; i < 20; i++) {
      files[`leaf${i}.skill.yaml`] = skill(`leaf${i}`, '1.0.0', { prev: { skill: `./leaf${i - 1}.skill.yaml` } });
      uses[`l${i}`] = { skill: `./leaf${i}.skill.yaml` };
    }
    files['app.skill.yaml'] = skill('app', '1.0.0', uses);
    const root = temp(files);
    const cache = new ResolutionCache();
    resolveProject(['app.skill.yaml'], { cwd: root, cache });
    expect(cache.stats).toEqual({ reads: 21, parses: 21 });

    resolveProject(['app.skill.yaml'], { cwd: root, cache });
    expect(cache.stats).toEqual({ reads: 21, parses: 21 });

    writeFileSync(path.join(root, 'leaf0.skill.yaml'), skill('leaf0', '1.0.1'));
    const changed = resolveProject(['app.skill.yaml'], { cwd: root, cache });
    expect(cache.stats).toEqual({ reads: 22, parses: 22 });
    expect(changed.skills.get('leaf0.skill.yaml')!.version).toBe('1.0.1');

    // A touch without a content change: read again (stat changed) but not re-parsed (same hash).
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(root, 'leaf3.skill.yaml'), later, later);
    resolveProject(['app.skill.yaml'], { cwd: root, cache });
    expect(cache.stats).toEqual({ reads: 23, parses: 22 });
  });
});

describe('real paths and one pass over the file system', () => {
  it('gives realpath\'s answer for plain files, files in linked directories, linked files and missing ones', () => {
    const root = temp({ 'package.json': '{}', 'skills/a.skill.yaml': skill('a', '1.0.0'), 'other/b.skill.yaml': skill('b', '1.0.0') });
    mkdirSync(path.join(root, 'links'));
    symlinkSync(path.join(root, 'skills'), path.join(root, 'links', 'dir'));
    symlinkSync(path.join(root, 'other', 'b.skill.yaml'), path.join(root, 'skills', 'b-link.skill.yaml'));
    const paths = [
      'skills/a.skill.yaml', 'links/dir/a.skill.yaml', 'links/dir/b-link.skill.yaml', 'skills/b-link.skill.yaml', 'links/dir', 'skills', 'skills/', 'links',
    ].map((p) => path.join(root, p));
    for (const inPass of [false, true]) {
      const cache = new ResolutionCache();
      const ask = () => paths.map((p) => cache.realPath(p));
      const got = inPass ? cache.inPass(ask) : ask();
      expect(got).toEqual(paths.map((p) => realpathSync.native(p)));
      expect(cache.realPath(path.join(root, 'skills', 'missing.skill.yaml'))).toBeUndefined();
      expect(cache.realPath(path.join(root, 'links', 'dir', 'missing.skill.yaml'))).toBeUndefined();
    }
  });

  it('stats a file once per pass, and notices a change in the next pass', () => {
    const root = temp({ 'package.json': '{}', 'skills/a.skill.yaml': skill('a', '1.0.0'), 'moved/a.skill.yaml': skill('a', '2.0.0') });
    mkdirSync(path.join(root, 'links'));
    symlinkSync(path.join(root, 'skills'), path.join(root, 'links', 'dir'));
    const cache = new ResolutionCache();
    const linked = path.join(root, 'links', 'dir', 'a.skill.yaml');
    expect(cache.inPass(() => cache.realPath(linked))).toBe(realpathSync.native(linked));
    // Re-point the directory link: the same path now names another file.
    renameSync(path.join(root, 'links', 'dir'), path.join(root, 'links', 'old'));
    symlinkSync(path.join(root, 'moved'), path.join(root, 'links', 'dir'));
    expect(cache.inPass(() => cache.realPath(linked))).toBe(path.join(realpathSync.native(root), 'moved', 'a.skill.yaml'));
    const project = resolveProject([linked], { cwd: root, cache });
    expect(project.skills.get('moved/a.skill.yaml')?.version).toBe('2.0.0');
    // Within one pass the first answer stands (one stat per file, however many stages ask).
    const inside = cache.inPass(() => {
      const first = cache.loadSkill(path.join(root, 'moved', 'a.skill.yaml'), root);
      writeFileSync(path.join(root, 'moved', 'a.skill.yaml'), skill('a', '3.0.0'));
      const later = new Date(Date.now() + 5_000);
      utimesSync(path.join(root, 'moved', 'a.skill.yaml'), later, later);
      return [first, cache.loadSkill(path.join(root, 'moved', 'a.skill.yaml'), root)];
    });
    expect(inside[1]).toBe(inside[0]);
    expect(cache.loadSkill(path.join(root, 'moved', 'a.skill.yaml'), root)?.header.version).toBe('3.0.0');
  });
});

describe('incremental cache in watch mode', () => {
  it('trusts cached files without a stat until the watcher invalidates them', () => {
    const root = temp({
      'package.json': '{}',
      'app.skill.yaml': skill('app', '1.0.0', { a: { skill: './a.skill.yaml', version: '^1.0.0' } }),
      'a.skill.yaml': skill('a', '1.0.0'),
    });
    const cache = new ResolutionCache({ trustUntilInvalidated: true });
    resolveProject(['app.skill.yaml'], { cwd: root, cache });
    writeFileSync(path.join(root, 'a.skill.yaml'), skill('a', '2.0.0'));
    // Not invalidated yet: the cached 1.0.0 is used and nothing is read.
    expect(resolveProject(['app.skill.yaml'], { cwd: root, cache }).diagnostics).toEqual([]);
    expect(cache.stats).toEqual({ reads: 2, parses: 2 });
    cache.invalidate(path.join(root, 'a.skill.yaml'));
    const after = resolveProject(['app.skill.yaml'], { cwd: root, cache });
    expect(cache.stats).toEqual({ reads: 3, parses: 3 });
    expect(after.diagnostics.map((d) => d.code)).toEqual(['SDL5006']);
  });
});

describe('priming the cache with the front end’s parse', () => {
  it('does not read or parse a primed file again', () => {
    const root = temp({
      'package.json': '{}',
      'app.skill.yaml': skill('app', '1.0.0', { a: { skill: './a.skill.yaml' } }),
      'a.skill.yaml': skill('a', '1.0.0'),
    });
    const cache = new ResolutionCache();
    const bytes = readFileSync(path.join(root, 'app.skill.yaml'));
    const source = new SourceFile('app.skill.yaml', bytes.toString('utf8'));
    cache.prime(path.join(root, 'app.skill.yaml'), root, sha256(bytes), source, parseDocument(source.text));
    const project = resolveProject(['app.skill.yaml'], { cwd: root, cache });
    expect(project.diagnostics).toEqual([]);
    expect(cache.stats).toEqual({ reads: 1, parses: 1 });
    expect(project.skills.get('app.skill.yaml')!.dependencies[0]!.target).toBe('a.skill.yaml');
    expect(project.skills.get('app.skill.yaml')!.sha256).toBe(sha256(bytes));
  });
});

describe('properties', () => {
  // Node i may use node j only when j > i, which makes a DAG; a back edge from a deeper node closes a cycle.
  const dag = fc
    .integer({ min: 2, max: 7 })
    .chain((n) =>
      fc.record({
        n: fc.constant(n),
        edges: fc.uniqueArray(
          fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })).filter(([a, b]) => a < b),
          { maxLength: 12, selector: ([a, b]) => `${a}-${b}` },
        ),
      }),
    );

  const build = (n: number, edges: [number, number][]) => {
    const files: Record<string, string> = { 'package.json': '{}' };
    for (let i = 0; i < n; i++) {
      const uses: Record<string, { skill: string; version: string }> = {};
      for (const [a, b] of edges) if (a === i) uses[`to_${b}`] = { skill: `./s${b}.skill.yaml`, version: '^1.0.0' };
      files[`s${i}.skill.yaml`] = skill(`s${i}`, '1.0.0', uses);
    }
    return temp(files);
  };

  const reachable = (n: number, edges: [number, number][], from: number) => {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length) {
      const x = stack.pop()!;
      for (const [a, b] of edges) if (a === x && !seen.has(b)) (seen.add(b), stack.push(b));
    }
    return seen;
  };

  it('a random DAG resolves cleanly to exactly the reachable skills', () => {
    fc.assert(
      fc.property(dag, ({ n, edges }) => {
        const root = build(n, edges);
        const project = resolveProject(['s0.skill.yaml'], { cwd: root });
        expect(project.diagnostics).toEqual([]);
        expect(project.skills.size).toBe(reachable(n, edges, 0).size);
        removeProject(root);
      }),
      { numRuns: 20 },
    );
  });

  it('adding a back edge reports a cycle that starts and ends at the same skill', () => {
    fc.assert(
      fc.property(dag, ({ n, edges }) => {
        const below = [...reachable(n, edges, 0)].filter((x) => x !== 0);
        fc.pre(below.length > 0);
        const from = Math.max(...below);
        const root = build(n, [...edges, [from, 0]]);
        const project = resolveProject(['s0.skill.yaml'], { cwd: root });
        const cycles = project.diagnostics.filter((d) => d.code === 'SDL5008');
        expect(cycles.length).toBeGreaterThan(0);
        for (const c of cycles) {
          const names = c.message.replace('dependency cycle: ', '').split(' → ');
          expect(names[0]).toBe(names[names.length - 1]);
        }
        expect(cycles.some((c) => c.file.endsWith(`s${from}.skill.yaml`))).toBe(true);
        removeProject(root);
      }),
      { numRuns: 20 },
    );
  });
});
