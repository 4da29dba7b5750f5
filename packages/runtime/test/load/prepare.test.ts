import { describe, expect, it } from 'vitest';
import { createRuntime, SkillResolutionError, type HostTool, type LoadedSkill } from '@sdl/runtime';
import { binding, FakeEngine } from '../run/support/fake-engine.js';
import { promptStep, skill, toolStep } from '../run/support/skill-builder.js';

const at = (line: number) => ({ file: 'demo.skill.yaml', line, column: 3 });
const engine = () => new FakeEngine(() => 'ok');

function refusal(run: () => unknown): SkillResolutionError {
  try {
    run();
  } catch (error) {
    if (error instanceof SkillResolutionError) return error;
    throw error;
  }
  throw new Error('expected a SkillResolutionError');
}

describe('load-time resolution', () => {
  it('refuses when no engine satisfies requires:, saying engine by engine why', () => {
    const runtime = createRuntime({
      engines: {
        claude: binding(engine(), { id: 'claude-small', contextWindow: 8_000 }),
        openai: binding(engine(), { id: 'gpt', features: ['tools'] }),
        cohere: binding(engine(), { id: 'command', contextWindow: 4_000, features: [] }),
      },
      // Skip names the runtime lacks (refused by default: unknown-engines.test.ts), so `requires:` is what is reported.
      strictEngines: false,
    });
    const s = skill({
      name: 'summarize',
      file: 'summarize.skill.yaml',
      requires: { context_window: 32_000, features: ['json_schema'] },
      engines: { prefer: ['claude', 'openai', 'mistral'], models: {}, params: {} },
      steps: [promptStep('a', 'x')],
    });
    const error = refusal(() => runtime.load(s));
    expect(error.message).toBe(
      [
        'cannot load skill `summarize` (summarize.skill.yaml):',
        '  no engine satisfies `requires:`:',
        '    - claude: context window 8000 < required 32000',
        '    - openai: model `gpt` lacks feature `json_schema`',
        '    - mistral: not configured in this runtime',
        '    - cohere: context window 4000 < required 32000; model `command` lacks feature `json_schema`',
      ].join('\n'),
    );
  });

  it('uses the skill’s model per engine and qualifies engines in prefer order', () => {
    const runtime = createRuntime({
      engines: { a: binding(engine(), { contextWindow: 1_000 }), b: binding(engine()) },
      describeModel: (_, model) => (model === 'big' ? { ...binding(engine()).descriptor!, id: 'big', contextWindow: 1_000_000 } : undefined),
    });
    const s = skill({ requires: { context_window: 500_000 }, engines: { prefer: ['b', 'a'], models: { a: 'big' }, params: {} }, steps: [promptStep('x', 'x')] });
    const prepared = runtime.load(s);
    expect(prepared.engines).toEqual(['a']);
    expect(prepared.engineQualifications.map((q) => [q.engine, q.model, q.reasons])).toEqual([
      ['b', 'fake-model', ['context window 200000 < required 500000']],
      ['a', 'big', []],
    ]);
  });

  it('refuses missing and incompatible tools, naming each with its declaration', () => {
    const search: HostTool = {
      parameters: { type: 'object', required: ['query', 'limit'], properties: { query: { type: 'string' }, limit: { type: 'integer' } } },
      execute: () => [],
    };
    const runtime = createRuntime({ engines: {}, tools: { search } });
    const s = skill({
      name: 'research',
      file: 'demo.skill.yaml',
      tools: {
        search: { name: 'search', description: 'search', parameters: { type: 'object', required: ['query'], properties: { query: { type: 'number' } } }, source: at(10) },
        fetch_page: { name: 'fetch_page', description: 'fetch', parameters: { type: 'object' }, source: at(14) },
      },
      steps: [toolStep('s', 'search', { query: 1 }), toolStep('f', 'fetch_page', {})],
    });
    const error = refusal(() => runtime.load(s));
    expect(error.problems.map((p) => `${p.subject}: ${p.reason}`)).toEqual([
      'search: registered schema is incompatible: arguments: `limit` is required by the host but not declared by the skill',
      'search: registered schema is incompatible: arguments: `query`: host expects string, skill declares number',
      'fetch_page: not registered; pass it in `createRuntime({ tools })` or call `runtime.tools.register()`',
    ]);
    expect(error.message).toContain('    - fetch_page: not registered; pass it in `createRuntime({ tools })` or call `runtime.tools.register()` (demo.skill.yaml:14:3)');
    // Registering the tool afterwards fixes the load.
    runtime.tools.register('fetch_page', { parameters: { type: 'object' }, execute: () => 'page' });
    runtime.tools.register('search', { parameters: { type: 'object', properties: { query: { type: 'number' } } }, execute: () => [] });
    expect(() => runtime.load(s)).not.toThrow();
  });

  it('checks dependent skills: present, version in range, content hash as pinned', () => {
    const runtime = createRuntime({ engines: { e: binding(engine()) } });
    const child: LoadedSkill = skill({ name: 'chunk', version: '2.1.0', hash: 'sha256:aaaa', steps: [promptStep('c', 'c')] });
    const s = skill({
      name: 'parent',
      dependencies: {
        chunk: { alias: 'chunk', reference: './chunk.skill.yaml', versionRange: '^1.0.0', expectedHash: 'sha256:bbbb', skill: child, source: at(7) },
      },
      steps: [
        { kind: 'use', id: 'u', use: 'chunk', with: {}, dependsOn: [], source: at(20) },
        { kind: 'use', id: 'v', use: 'missing', with: {}, dependsOn: [], source: at(24) },
      ],
    });
    const error = refusal(() => runtime.load(s));
    expect(error.problems.map((p) => `${p.subject}: ${p.reason}`)).toEqual([
      'missing: used by step `v` but not present in the bundle',
      'chunk (./chunk.skill.yaml): version 2.1.0 does not satisfy ^1.0.0',
      'chunk (./chunk.skill.yaml): content hash sha256:aaaa differs from the pinned sha256:bbbb (recompile, or update the lockfile)',
    ]);
  });

  it('reports problems inside a dependency with the alias path', () => {
    const runtime = createRuntime({ engines: {} });
    const child = skill({ name: 'child', tools: { t: { name: 't', description: '', parameters: { type: 'object' }, source: at(3) } }, steps: [toolStep('x', 't', {})] });
    const s = skill({ dependencies: { kid: { alias: 'kid', reference: './c', skill: child, source: at(1) } }, steps: [] });
    expect(refusal(() => runtime.load(s)).problems.map((p) => p.subject)).toEqual(['kid › t']);
  });

  it('refuses a run on an engine the skill does not qualify for', async () => {
    const runtime = createRuntime({ engines: { small: binding(engine(), { contextWindow: 100 }), big: binding(engine()) } });
    const s = skill({ requires: { context_window: 1_000 }, steps: [promptStep('a', 'a')] });
    await expect(runtime.run(s, {}, { engine: 'small' })).rejects.toThrow('- small: context window 100 < required 1000');
    await expect(runtime.run(s, {}, { engine: 'nope' })).rejects.toThrow('engine `nope` is not configured (configured: small, big)');
    expect((await runtime.run(s, {}, { engine: 'big' })).engines).toEqual(['big']);
  });
});

describe('step graph checks at load', () => {
  it('refuses duplicate ids, unknown dependencies and cycles', () => {
    const runtime = createRuntime({ engines: { e: binding(engine()) } });
    const s = skill({
      steps: [
        promptStep('a', 'a', { dependsOn: ['c'] }),
        promptStep('b', 'b', { dependsOn: ['a', 'ghost'] }),
        promptStep('c', 'c', { dependsOn: ['b'] }),
        promptStep('a', 'again'),
      ],
    });
    expect(refusal(() => runtime.load(s)).problems.map((p) => `${p.subject}: ${p.reason}`)).toEqual([
      'steps.a: duplicate step id',
      'steps.b: depends on unknown step `ghost`',
      'steps.a: steps depend on each other in a cycle: a -> c -> b -> a',
    ]);
  });
});

describe('tool registry changes', () => {
  it('a skill is resolved again after a tool is removed or replaced', async () => {
    const declared = { name: 'now', description: 'time', parameters: { type: 'object' }, source: at(2) };
    const runtime = createRuntime({ engines: {}, tools: { now: { parameters: { type: 'object' }, execute: () => 1 } } });
    const s = skill({ tools: { now: declared }, steps: [toolStep('t', 'now', {})] });
    expect((await runtime.run(s, {})).output).toBe(1);
    runtime.tools.unregister('now');
    await expect(runtime.run(s, {})).rejects.toThrow('- now: not registered');
    runtime.tools.register('now', { parameters: { type: 'object' }, execute: () => 2 });
    expect((await runtime.run(s, {})).output).toBe(2);
  });
});
