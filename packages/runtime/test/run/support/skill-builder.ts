/**
 * Builds LoadedSkill objects for runtime tests. Expressions and templates are given as their
 * source text plus an evaluator (the seam the compiler's expression language implements).
 */
import type { JsonSchema, JsonValue } from '@sdl/adapters';
import type {
  CompiledExpression,
  CompiledTemplate,
  LoadedSkill,
  LoadedStep,
  PromptStep,
  ScopeVariables,
  SourceLocation,
  ToolStep,
  UseStep,
} from '@sdl/runtime';

let line = 1;
const at = (file = 'test.skill.yaml'): SourceLocation => ({ file, line: line++, column: 5 });

export function expr(text: string, evaluate: (vars: ScopeVariables) => JsonValue): CompiledExpression {
  return { text, evaluate, source: at() };
}

export function template(text: string, render: (vars: ScopeVariables) => string = () => text): CompiledTemplate {
  return { text, render, source: at() };
}

type StepExtras = Partial<Pick<LoadedStep, 'dependsOn' | 'when' | 'forEach'>>;

export function promptStep(id: string, user: CompiledTemplate | string, extras: StepExtras & Partial<PromptStep> = {}): PromptStep {
  return {
    kind: 'prompt',
    id,
    dependsOn: [],
    user: typeof user === 'string' ? template(user) : user,
    output: { kind: 'text' },
    tools: [],
    maxToolIterations: 4,
    source: at(),
    ...extras,
  };
}

export function toolStep(id: string, tool: string, args: ToolStep['with'], extras: StepExtras = {}): ToolStep {
  return { kind: 'tool', id, tool, with: args, dependsOn: [], source: at(), ...extras };
}

export function useStep(id: string, use: string, args: UseStep['with'], extras: StepExtras = {}): UseStep {
  return { kind: 'use', id, use, with: args, dependsOn: [], source: at(), ...extras };
}

export function skill(overrides: Partial<LoadedSkill> & { steps: LoadedStep[] }): LoadedSkill {
  return {
    name: 'test-skill',
    version: '1.0.0',
    hash: 'sha256:0000',
    file: 'test.skill.yaml',
    description: 'a test skill',
    inputs: { type: 'object' } as JsonSchema,
    requires: {},
    engines: { prefer: [], models: {}, params: {} },
    tools: {},
    policies: {},
    dependencies: {},
    sourceMap: {},
    ...overrides,
  };
}
