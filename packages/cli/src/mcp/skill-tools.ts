/**
 * Compiled skills as MCP tools: the description of each (`tools/list`) and the handler of
 * `tools/call`, which runs the skill through the full runtime (engines of the config, the
 * middleware chain, sessions). Built on the MCP SDK's low-level `Server`, because skills bring
 * JSON Schemas of their own rather than zod shapes.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { JsonSchema, JsonValue } from '@sdl/adapters';
import type { LoadedSkill, Runtime } from '@sdl/runtime';

/** A skill offered as an MCP tool. */
export interface SkillTool {
  /** The tool name: the skill's name. */
  name: string;
  skill: LoadedSkill;
  /** The skill's `inputs` (an object schema, as MCP requires). */
  inputSchema: JsonSchema;
  /** The skill's `outputs` when they are an object schema (MCP's `outputSchema` must be one); otherwise the result is text. */
  outputSchema?: JsonSchema;
}

/** The `_meta` key a client may set to choose the SDL conversation a call continues. */
export const SESSION_META_KEY = 'sdl/session';

const isObjectSchema = (schema: JsonSchema | undefined): boolean =>
  schema !== undefined && typeof schema === 'object' && (schema.type === 'object' || (schema.type === undefined && schema.properties !== undefined));

/** Describes each skill as a tool; two skills of one name are refused (tool names must be unique). */
export function skillTools(skills: readonly LoadedSkill[]): SkillTool[] {
  const tools = new Map<string, SkillTool>();
  for (const skill of skills) {
    const other = tools.get(skill.name);
    if (other !== undefined) throw new Error(`two skills are named \`${skill.name}\` (${other.skill.file} and ${skill.file}); MCP tool names must be unique`);
    const inputSchema = isObjectSchema(skill.inputs) ? skill.inputs : { type: 'object', properties: {} };
    tools.set(skill.name, { name: skill.name, skill, inputSchema, ...(isObjectSchema(skill.outputs) ? { outputSchema: skill.outputs! } : {}) });
  }
  return [...tools.values()];
}

/**
 * Installs `tools/list` and `tools/call` on an SDK `Server`. A failed run is a result with
 * `isError` and the runtime's message (passed through `scrub`), so the client's model sees it; the
 * call's signal (the client cancelled, or went away) cancels the run.
 */
export async function serveSkillTools(
  server: Server,
  tools: readonly SkillTool[],
  runtime: Runtime,
  options: { scrub: (text: string) => string; defaultSession: string },
): Promise<void> {
  const { CallToolRequestSchema, ListToolsRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
  const byName = new Map(tools.map((t) => [t.name, t]));
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools.map((t) => ({
      name: t.name,
      description: t.skill.description,
      inputSchema: t.inputSchema as { type: 'object' },
      ...(t.outputSchema === undefined ? {} : { outputSchema: t.outputSchema as { type: 'object' } }),
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name);
    if (tool === undefined) {
      return { isError: true, content: [{ type: 'text' as const, text: `no skill \`${request.params.name}\` (skills: ${[...byName.keys()].join(', ')})` }] };
    }
    const meta = request.params._meta as Record<string, unknown> | undefined;
    const session = typeof meta?.[SESSION_META_KEY] === 'string' ? (meta[SESSION_META_KEY] as string) : (extra.sessionId ?? options.defaultSession);
    try {
      const result = await runtime.run(tool.skill, request.params.arguments ?? {}, { session, signal: extra.signal });
      const output = result.output as JsonValue;
      const text = typeof output === 'string' ? output : JSON.stringify(output);
      return {
        content: [{ type: 'text' as const, text }],
        ...(tool.outputSchema !== undefined && output !== null && typeof output === 'object' && !Array.isArray(output)
          ? { structuredContent: output as Record<string, unknown> }
          : {}),
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { isError: true, content: [{ type: 'text' as const, text: options.scrub(`skill \`${tool.name}\` failed: ${message}`) }] };
    }
  });
}
