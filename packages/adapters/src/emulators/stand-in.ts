import type { JsonSchema, JsonValue } from '../types.js';
import { isObject } from './dialect.js';
import { seededRandom } from './faults.js';
import { defaultReply, type EmulatorReply, type EmulatorRequest } from './reply.js';

/** Options of {@link standInReply}. */
export interface StandInOptions {
  /** Seed of the value generator; the same seed gives the same replies in the same order. Default 1. */
  seed?: number;
}

type Generate = (schema: JsonSchema, options: { seed: number; maxDepth?: number }) => Promise<unknown>;
let generator: Promise<Generate> | undefined;

/** json-schema-faker is loaded on the first schema-shaped reply only, so importing the adapters never loads it. */
function loadGenerator(): Promise<Generate> {
  generator ??= import('json-schema-faker').then((m) => m.generate as unknown as Generate);
  return generator;
}

/** Whether the request forbids tool calls (`tool_choice` none), or names the one tool it wants. */
function toolChoice(request: EmulatorRequest): { none: boolean; name?: string } {
  const body = isObject(request.body) ? request.body : {};
  const choice = body.tool_choice;
  if (choice === 'none' || choice === 'NONE' || (isObject(choice) && choice.type === 'none')) return { none: true };
  if (isObject(choice) && typeof choice.name === 'string') return { none: false, name: choice.name };
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') return { none: false, name: choice.function.name };
  return { none: false };
}

/**
 * A reply source that stands in for a model (what `skillc emulate` serves):
 * - after a tool result: the final answer (a value of the requested schema, else `tool <name> returned: ...`);
 * - `call <tool> {json}` from the user calls that tool with those arguments, as {@link defaultReply} does;
 * - when tools are offered (and `tool_choice` is not `none`): a call of one of them (the named one, else
 *   one drawn at random), with arguments sampled from its parameters schema;
 * - with a JSON Schema (structured output): a value sampled from it by json-schema-faker, formats,
 *   patterns, bounds and enums included; a JSON-mode request without a schema gets a JSON object;
 * - otherwise `echo: <last user message>`.
 * Sampled values differ from request to request, from a seeded generator, so a run repeats for one seed.
 *
 * @param options - the seed
 * @returns a reply function for {@link startEmulator}'s `reply`
 */
export function standInReply(options: StandInOptions = {}): (request: EmulatorRequest) => Promise<EmulatorReply> {
  const random = seededRandom(options.seed ?? 1);
  const nextSeed = () => 1 + Math.floor(random() * 0x7ffffffe);
  const sample = async (schema: JsonSchema): Promise<JsonValue> => {
    const generate = await loadGenerator();
    return (await generate(schema, { seed: nextSeed(), maxDepth: 6 })) as JsonValue;
  };

  return async (request) => {
    const last = request.messages[request.messages.length - 1];
    const base = defaultReply({ ...request, schema: undefined });
    if (last?.role === 'tool') return request.schema !== undefined ? { json: await sample(request.schema) } : base;
    if (base.toolCalls !== undefined) return base;
    const choice = toolChoice(request);
    if (request.tools.length > 0 && !choice.none) {
      const named = choice.name !== undefined ? request.tools.find((t) => t.name === choice.name) : undefined;
      const tool = named ?? request.tools[Math.floor(random() * request.tools.length)]!;
      const parameters = isObject(tool.parameters) && Object.keys(tool.parameters).length > 0 ? tool.parameters : { type: 'object' };
      const args = await sample(parameters as JsonSchema);
      return { toolCalls: [{ name: tool.name, arguments: isObject(args) ? (args as { [key: string]: JsonValue }) : {} }] };
    }
    if (request.schema !== undefined) return { json: await sample(request.schema) };
    if (request.jsonMode) return { json: await sample({ type: 'object' }) };
    return base;
  };
}
