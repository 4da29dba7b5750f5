/**
 * The IR 1.0 as TypeScript types (spec/ir.md, spec/ir.schema.json). Plain JSON data: the emitter
 * builds it, `serializeIr` writes it with sorted keys.
 */
import type { Position } from '../diagnostics/diagnostic.js';
import type { ExprNode, TemplateAst } from '../expr/ast.js';
import type { Anchor } from '../bind/compiled-source.js';

/** The IR version this compiler writes. */
export const IR_VERSION = '1.0';

/** The `generator` member: names the compiler, no machine or user data. */
export const IR_GENERATOR = 'skillc 0.1.0';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface IrExpression {
  src: string;
  ast: ExprNode;
  map: string;
}

export interface IrTemplate {
  src: string;
  ast: TemplateAst;
  map: string;
}

export type IrArgument = IrExpression | { literal: Json };

export interface IrSourceLocation {
  file: string;
  start: Position;
  end: Position;
  anchors?: Anchor[];
}

export interface IrForEach {
  over: IrExpression;
  as: string;
  index: 'index';
  concurrency: number;
}

interface IrStepBase {
  id: string;
  description: string | null;
  depends_on: string[];
  when: IrExpression | null;
  for_each: IrForEach | null;
}

export type IrOutput = { kind: 'text' } | { kind: 'schema'; from: 'outputs' | 'inline'; schema: Json };

export interface IrPromptStep extends IrStepBase {
  kind: 'prompt';
  system: IrTemplate | null;
  user: IrTemplate;
  output: IrOutput;
  tools: string[];
  max_tool_iterations: number | null;
  engine: string | null;
  params: Record<string, Json>;
}

export interface IrUseStep extends IrStepBase {
  kind: 'use';
  use: string;
  with: Record<string, IrArgument>;
}

export interface IrToolStep extends IrStepBase {
  kind: 'tool';
  tool: string;
  with: Record<string, IrArgument>;
}

export type IrStep = IrPromptStep | IrUseStep | IrToolStep;

export interface IrUse {
  skill: string;
  reference: string;
  range: string | null;
  hash: string;
}

export interface IrSkill {
  id: string;
  name: string;
  version: string;
  description: string;
  file: string;
  sha256: string;
  hash: string;
  inputs: Json;
  outputs: Json;
  requires: { context_window: number | null; features: string[] };
  engines: { prefer: string[]; models: Record<string, string>; params: Record<string, Json> };
  uses: Record<string, IrUse>;
  tools: Record<string, { description: string; parameters: Json; returns: Json }>;
  steps: IrStep[];
  order: string[];
  return: IrExpression;
  policies: Record<string, Json>;
  memory: { conversation: boolean; ttl_s: number | null; max_turns: number | null };
  tests: Json[];
  source_map: Record<string, IrSourceLocation>;
}

export interface IrDependencyRow {
  id: string;
  name: string;
  version: string;
  source: 'path' | 'npm';
  path: string;
  sha256: string;
  hash: string;
}

/** One `<name>.skill.json`: the entry skill and its whole dependency closure. */
export interface IrDocument {
  ir_version: string;
  generator: string;
  entry: string;
  skills: Record<string, IrSkill>;
  dependencies: IrDependencyRow[];
  hash: string;
}
