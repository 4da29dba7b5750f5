/**
 * The IR 1.0 as TypeScript types (spec/ir.md, schemas/ir.schema.json). Plain JSON data: the emitter
 * builds it, `serializeIr` writes it with sorted keys.
 */
import type { Position } from '../diagnostics/diagnostic.js';
import type { ExprNode, TemplateAst } from '../expr/ast.js';
import type { Anchor } from '../bind/compiled-source.js';

/** The IR version this compiler writes. */
export const IR_VERSION = '1.0';

/** The `generator` member: names the compiler, no machine or user data. */
export const IR_GENERATOR = 'skillc 0.1.0';

/** A JSON value as the IR stores it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A compiled expression: its source text, its AST, and the id of its `source_map` entry. */
export interface IrExpression {
  src: string;
  ast: ExprNode;
  map: string;
}

/** A compiled template: its source text, its AST, and the id of its `source_map` entry. */
export interface IrTemplate {
  src: string;
  ast: TemplateAst;
  map: string;
}

/** A `with:` value: an expression (a YAML string) or a literal (a YAML number, bool or null). */
export type IrArgument = IrExpression | { literal: Json };

/** Where an IR node came from: a project-relative file, a range, and anchors inside expressions. */
export interface IrSourceLocation {
  file: string;
  start: Position;
  end: Position;
  anchors?: Anchor[];
}

/** A `for_each` step's loop: the list expression, the loop variable, and how many items run at once. */
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

/** What a prompt step's reply becomes: text, or JSON validated against a schema. */
export type IrOutput = { kind: 'text' } | { kind: 'schema'; from: 'outputs' | 'inline'; schema: Json };

/** A step that renders prompts and calls a model (with its tools, output mode and engine pin). */
export interface IrPromptStep extends IrStepBase {
  kind: 'prompt';
  system: IrTemplate | null;
  user: IrTemplate;
  output: IrOutput;
  tools: string[];
  max_tool_iterations: number | null;
  engine: string | null;
  params: Record<string, Json>;
  /** Few-shot example turns before the user turn; absent when the step has none. */
  messages?: IrPromptMessage[];
  /** Images and documents of the user turn, before its text; absent when the step has none. */
  attach?: IrAttachment[];
  /** Cacheable prefixes the step marks; absent when it marks none. */
  cache?: { system: boolean; tools: boolean };
}

/** A few-shot example turn of a prompt step. */
export interface IrPromptMessage {
  role: 'user' | 'assistant';
  content: IrTemplate;
}

/** An `attach:` item: its kind, what it needs of a model (`media`), the expression giving it, its title and cache mark. */
export interface IrAttachment {
  kind: 'image' | 'document';
  media: 'image' | 'pdf' | 'text';
  value: IrExpression;
  title: string | null;
  cache: boolean;
}

/** A step that runs a dependency skill (by `uses:` alias) with arguments. */
export interface IrUseStep extends IrStepBase {
  kind: 'use';
  use: string;
  with: Record<string, IrArgument>;
}

/** A step that calls a host tool with arguments. */
export interface IrToolStep extends IrStepBase {
  kind: 'tool';
  tool: string;
  with: Record<string, IrArgument>;
}

/** One step of the step graph, by kind. */
export type IrStep = IrPromptStep | IrUseStep | IrToolStep;

/** A resolved `uses:` entry: the dependency's id, the reference as written, its range and pinned hash. */
export interface IrUse {
  skill: string;
  reference: string;
  range: string | null;
  hash: string;
}

/** One compiled skill: the normalized document, compiled expressions, the step graph in order, and its source map. */
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
  /** `summarize` is present only when the skill asks for it (absent: the oldest turns are dropped). */
  memory: {
    conversation: boolean;
    ttl_s: number | null;
    max_turns: number | null;
    summarize?: { engine: string | null; prompt: string | null; keep_recent: number | null };
  };
  tests: Json[];
  source_map: Record<string, IrSourceLocation>;
}

/** One row of an IR document's dependency table: a skill of the closure with its version and hashes. */
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
