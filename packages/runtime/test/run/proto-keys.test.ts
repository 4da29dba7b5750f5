import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '@sdl/adapters';
import { buildProject } from '@sdl/compiler';
import { createRuntime, loadIr, loadSkillSource, type HostTool, type LoadedSkill } from '@sdl/runtime';

// `__proto__`, `constructor` and `toString` are ordinary JSON keys: as an input property, a `with:`
// argument and a tool parameter they must reach the callee as own data, and never touch a prototype.

const inner = `sdl: "1.0"
name: inner
version: 1.0.0
description: Passes odd key names on to a tool.
inputs:
  type: object
  required: [__proto__]
  properties:
    __proto__: { type: string }
    constructor: { type: string }
outputs:
  type: object
tools:
  record:
    description: Records its arguments.
    parameters:
      type: object
      required: [__proto__, constructor]
      properties:
        __proto__: { type: string }
        constructor: { type: string }
        toString: { type: string }
    returns: { type: object }
steps:
  - id: t
    tool: record
    with:
      __proto__: inputs.__proto__
      constructor: inputs.constructor
      toString: "'x'"
return: "{'got': steps.t.output, 'proto': inputs.__proto__, 'has': has(inputs.__proto__)}"
`;

const outer = `sdl: "1.0"
name: outer
version: 1.0.0
description: Calls inner with a __proto__ argument.
inputs:
  type: object
  properties:
    __proto__: { type: string }
outputs:
  type: object
uses:
  inner: { skill: ./inner.skill.yaml, version: ^1.0.0 }
steps:
  - id: s
    use: inner
    with:
      __proto__: inputs.__proto__
      constructor: "'c'"
return: steps.s.output
`;

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function fromSource(file: string): Promise<LoadedSkill> {
  return loadSkillSource(file);
}

/** Compiled to IR text in process (what `skillc compile` writes), then loaded from the parsed text. */
async function fromIr(file: string): Promise<LoadedSkill> {
  const built = buildProject([file], { cwd: path.dirname(file), root: path.dirname(file) });
  expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const text = built.outputs[0]!.text;
  expect(text).toContain('"__proto__":{"type":"string"}');
  return loadIr(JSON.parse(text));
}

describe('__proto__ and other Object.prototype names as keys', () => {
  it.each([['source', fromSource], ['compiled IR', fromIr]] as const)('pass through inputs, with: and tool arguments as ordinary keys, without prototype pollution (%s)', async (_how, load) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sdl-proto-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'inner.skill.yaml'), inner);
    await writeFile(path.join(dir, 'outer.skill.yaml'), outer);
    const skill = await load(path.join(dir, 'outer.skill.yaml'));
    const tool = skill.dependencies.inner!.skill.steps[0] as { kind: string; with: object };
    expect(tool.kind).toBe('tool');
    expect(Object.keys(tool.with)).toEqual(['__proto__', 'constructor', 'toString']);

    const seen: Record<string, JsonValue>[] = [];
    const record: HostTool = {
      parameters: { type: 'object' },
      returns: { type: 'object' },
      execute: (args) => {
        seen.push(args as Record<string, JsonValue>);
        return { keys: Object.keys(args), proto: (Object.getOwnPropertyDescriptor(args, '__proto__')?.value ?? null) as JsonValue };
      },
    };
    const runtime = createRuntime({ engines: {}, tools: { record } });
    const input = JSON.parse('{"__proto__": "P"}') as Record<string, JsonValue>;
    const result = await runtime.run(skill, input);

    expect(result.output).toEqual(JSON.parse('{"got": {"keys": ["__proto__", "constructor", "toString"], "proto": "P"}, "proto": "P", "has": true}'));
    expect(seen).toHaveLength(1);
    expect(Object.getPrototypeOf(seen[0])).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(seen[0], '__proto__')?.value).toBe('P');
    expect(seen[0]!.constructor).toBe('c');
    expect(({} as Record<string, unknown>).P).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('P');
  });
});
