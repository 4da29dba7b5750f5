/**
 * Host-implemented tools. A skill declares the tools it needs (name, description, JSON Schema of
 * the arguments); the host registers an implementation with its own schema; load-time resolution
 * checks the two are compatible (see `compatibility.ts`).
 */
import type { JsonSchema, JsonValue } from '@sdl/adapters';
import { compileValidator, type SchemaValidator } from '../load/validators.js';

/** What a tool implementation receives besides its arguments. */
export interface ToolCallContext {
  /** Aborted when the run is cancelled or its deadline passes; pass it to any I/O the tool does. */
  signal: AbortSignal;
  skill: string;
  step: string;
  /** The model's tool-call id (prompt steps only). */
  callId?: string;
  /** The run's user (`RunOptions.user`), for tools that keep data per user. */
  user?: string;
  /** The run's conversation session (`RunOptions.session`). */
  session?: string;
  /**
   * The value with the skill's `policies.redact` applied (every built-in kind when the skill names
   * none): for tools that store or forward what they are given.
   */
  redact(value: JsonValue): JsonValue;
}

/** A tool as the host registers it. */
export interface HostTool {
  description?: string;
  /** JSON Schema of the arguments object the implementation accepts. */
  parameters: JsonSchema;
  /** JSON Schema of the result, if the host promises one. */
  returns?: JsonSchema;
  /** Where the implementation comes from, for load-time messages (e.g. "MCP tool `x` of server `y`"); default "registered". */
  origin?: string;
  /**
   * Runs the tool. `args` have already been validated against `parameters`; a thrown error becomes a
   * tool result with `isError` that the model sees (prompt steps) or a failed step (tool steps).
   */
  execute(args: { [name: string]: JsonValue }, context: ToolCallContext): Promise<JsonValue> | JsonValue;
}

/** A registered tool with its argument validator compiled once. */
export interface RegisteredTool extends HostTool {
  readonly name: string;
  readonly argumentsValidator: SchemaValidator;
}

const TOOL_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** The tools a runtime offers to skills, by name. */
export class ToolRegistry {
  readonly #tools = new Map<string, RegisteredTool>();
  #version = 0;

  /** Changes on every register/unregister, so resolved skills can be re-checked. */
  get version(): number {
    return this.#version;
  }

  constructor(tools: { [name: string]: HostTool } = {}) {
    for (const [name, tool] of Object.entries(tools)) this.register(name, tool);
  }

  /** Registers (or replaces) a tool; throws if the name is not a valid tool name or the schema does not compile. */
  register(name: string, tool: HostTool): this {
    if (!TOOL_NAME.test(name)) {
      throw new TypeError(`tool name \`${name}\` is invalid: use letters, digits, \`_\` or \`-\` (at most 64)`);
    }
    if (typeof tool.execute !== 'function') throw new TypeError(`tool \`${name}\` has no execute function`);
    let argumentsValidator: SchemaValidator;
    try {
      argumentsValidator = compileValidator(tool.parameters);
    } catch (error) {
      throw new TypeError(`tool \`${name}\`: its parameters schema does not compile: ${(error as Error).message}`);
    }
    this.#tools.set(name, { ...tool, name, argumentsValidator });
    this.#version++;
    return this;
  }

  /** Removes a tool; `true` when it was registered. */
  unregister(name: string): boolean {
    const removed = this.#tools.delete(name);
    if (removed) this.#version++;
    return removed;
  }

  /** The registered tool of that name, or `undefined`. */
  get(name: string): RegisteredTool | undefined {
    return this.#tools.get(name);
  }

  /** True when a tool of that name is registered. */
  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** The registered tool names, sorted. */
  names(): string[] {
    return [...this.#tools.keys()].sort();
  }
}
