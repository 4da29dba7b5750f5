/**
 * The OpenAPI 3.1 document of a server, generated from its skills: one `POST
 * /v1/skills/{name}/runs` operation per skill whose request body carries the skill's `inputs`
 * schema and whose 200 answer carries its `outputs` schema (JSON Schema 2020-12, which OpenAPI 3.1
 * takes as it is), plus the health, readiness and metrics endpoints and the bearer scheme.
 */
import type { LoadedSkill } from '@sdl/runtime';

type Schema = Record<string, unknown>;

const errorSchema: Schema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'stable error code (input_invalid, unauthorized, rate_limited, ...)' },
        message: { type: 'string' },
        problems: {
          type: 'array',
          description: 'schema-invalid input: one entry per problem',
          items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string', description: 'JSON Pointer into inputs' }, message: { type: 'string' } } },
        },
      },
    },
  },
};

const usageSchema: Schema = {
  type: 'object',
  required: ['input_tokens', 'output_tokens'],
  properties: { input_tokens: { type: 'integer' }, output_tokens: { type: 'integer' } },
};

const errorResponse = (description: string): Schema => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** A schema name for `components.schemas` (letters, digits, `.`, `_`, `-` only). */
const componentName = (skill: string, part: string): string => `${skill.replace(/[^A-Za-z0-9._-]/g, '_')}.${part}`;

/**
 * A skill schema placed under `components.schemas`: one with local references (`#/$defs/...`) gets
 * an `$id`, so they resolve inside it and not against the OpenAPI document's root.
 */
function embedded(schema: unknown, id: string): Schema {
  const value = (schema ?? {}) as Schema;
  if (typeof value !== 'object' || '$id' in value || !JSON.stringify(value).includes('"$ref":"#')) return value;
  return { $id: id, ...value };
}

/** The OpenAPI 3.1 document for `skills`; `version` is the server's. */
export function openApiDocument(skills: Iterable<LoadedSkill>, version: string): Schema {
  const paths: Schema = {};
  const schemas: Schema = { Error: errorSchema, Usage: usageSchema };
  for (const skill of [...skills].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const inputs = componentName(skill.name, 'inputs');
    const outputs = componentName(skill.name, 'outputs');
    schemas[inputs] = embedded(skill.inputs, `urn:sdl:skill:${skill.name}:inputs`);
    schemas[outputs] = embedded(skill.outputs, `urn:sdl:skill:${skill.name}:outputs`);
    const streamed = ['step-start', 'step-end', 'text-delta', 'tool-call', 'tool-result', 'usage', 'engine-switch', 'done', 'error'];
    paths[`/v1/skills/${encodeURIComponent(skill.name)}/runs`] = {
      post: {
        operationId: `run_${skill.name.replace(/[^A-Za-z0-9_]/g, '_')}`,
        summary: `Run ${skill.name} ${skill.version}`,
        description: `${skill.description}\n\nWith \`Accept: text/event-stream\` (or \`?stream=true\`) the answer is a stream of server-sent events (${streamed.join(', ')}); the last is \`done\` (data: the same object as the JSON answer) or \`error\`.`,
        tags: ['skills'],
        parameters: [{ name: 'stream', in: 'query', required: false, schema: { type: 'boolean' }, description: 'answer with server-sent events' }],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  inputs: { $ref: `#/components/schemas/${inputs}` },
                  session: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: "conversation id (skills with memory.conversation); scoped to the caller" },
                  engine: { type: 'string', description: 'start on this configured engine' },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'the run finished',
            headers: { 'X-Run-Id': { schema: { type: 'string' } } },
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['run_id', 'output', 'usage', 'cost', 'engines'],
                  properties: {
                    run_id: { type: 'string' },
                    output: { $ref: `#/components/schemas/${outputs}` },
                    usage: { $ref: '#/components/schemas/Usage' },
                    cost: { type: 'number', description: 'US dollars' },
                    engines: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
              'text/event-stream': { schema: { type: 'string' } },
            },
          },
          '400': errorResponse('the body or the inputs are invalid (code input_invalid lists the problems)'),
          '401': errorResponse('no or a wrong bearer token'),
          '413': errorResponse('the body is over the limit'),
          '429': errorResponse("the caller's rate limit; see Retry-After"),
          '502': errorResponse('no engine could serve the run'),
          '503': errorResponse('the server is shutting down'),
          '504': errorResponse('the run passed its deadline'),
        },
      },
    };
  }
  const plain = (summary: string, description: string, secured: boolean): Schema => ({
    get: { summary, ...(secured ? {} : { security: [] }), responses: { '200': { description }, '503': { description: 'not ready' } } },
  });
  paths['/healthz'] = plain('Liveness', 'the process is alive', false);
  paths['/readyz'] = plain('Readiness', 'skills loaded and the state store reachable', false);
  paths['/metrics'] = plain('Prometheus metrics', 'text exposition format', true);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: { title: 'SDL skills', version, description: 'Compiled SDL skills served by `skillc serve` (see spec/server.md).' },
    security: [{ bearer: [] }],
    paths,
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}
