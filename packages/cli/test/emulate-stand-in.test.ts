// `skillc emulate` standing in for a model (issue 13): schema-valid structured output, seeded variety,
// tool calls of offered tools, and scripted replies from a file. Over real HTTP through the official
// SDKs (via the adapters, and the OpenAI SDK directly for JSON mode), never a mock.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { AnthropicAdapter, CohereAdapter, type EngineAdapter, type EngineRequest, type JsonSchema, OpenAIAdapter } from '@sdl/adapters';
import { main, type CliIO } from '@sdl/cli';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020.js') as new (o: object) => { compile(s: object): ((v: unknown) => boolean) & { errors?: unknown } };
const addFormats = require('ajv-formats') as (ajv: unknown) => void;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

const PROVIDERS = ['anthropic', 'openai', 'cohere'] as const;
type Provider = (typeof PROVIDERS)[number];
const ADAPTERS = { anthropic: AnthropicAdapter, openai: OpenAIAdapter, cohere: CohereAdapter } as const;

const work = mkdtempSync(path.join(tmpdir(), 'sdl-emulate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `skillc emulate <args>` in process until `stop()`; the adapter talks to it over HTTP. */
async function emulate(provider: Provider, args: string[] = []) {
  const controller = new AbortController();
  let out = '';
  let err = '';
  let onUrl: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (onUrl = resolve));
  const io: CliIO = {
    stdout: { write: (s: string) => ((out += s), out.includes('\n') && onUrl(out.split('\n')[0]!), true) },
    stderr: { write: (s: string) => ((err += s), true) },
    cwd: work,
    env: {},
    signal: controller.signal,
  };
  const exit = main(['emulate', '--provider', provider, ...args], io);
  const baseURL = await Promise.race([url, exit.then((code) => Promise.reject(new Error(`emulate exited ${code}: ${err}`)))]);
  const adapter: EngineAdapter = new ADAPTERS[provider]({ apiKey: 'k', baseURL, timeoutMs: 5000 });
  return {
    baseURL,
    adapter,
    stderr: () => err,
    stop: async () => {
      controller.abort();
      expect(await exit).toBe(0);
    },
  };
}

const ask = (text: string, extra: Partial<EngineRequest> = {}): EngineRequest => ({ model: 'm', maxTokens: 4000, messages: [{ role: 'user', content: text }], ...extra });

const SCHEMAS: Array<[string, JsonSchema]> = [
  [
    'formats, patterns, bounds and enums',
    {
      type: 'object',
      additionalProperties: false,
      required: ['email', 'id', 'code', 'count', 'tone', 'at', 'day', 'site', 'ip', 'score'],
      properties: {
        email: { type: 'string', format: 'email' },
        id: { type: 'string', format: 'uuid' },
        code: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
        count: { type: 'integer', minimum: 3, maximum: 9 },
        tone: { type: 'string', enum: ['calm', 'angry', 'glad'] },
        at: { type: 'string', format: 'date-time' },
        day: { type: 'string', format: 'date' },
        site: { type: 'string', format: 'uri' },
        ip: { type: 'string', format: 'ipv4' },
        score: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      },
    },
  ],
  [
    'arrays with item bounds and nested objects',
    {
      type: 'object',
      additionalProperties: false,
      required: ['tags', 'items'],
      properties: {
        tags: { type: 'array', minItems: 1, maxItems: 3, uniqueItems: true, items: { type: 'string', minLength: 2, maxLength: 6 } },
        items: {
          type: 'array',
          minItems: 2,
          items: { type: 'object', additionalProperties: false, required: ['sku', 'qty'], properties: { sku: { type: 'string', pattern: '^SKU[0-9]{5}$' }, qty: { type: 'integer', minimum: 1, maximum: 99 } } },
        },
      },
    },
  ],
  ['an enum of a whole reply', { type: 'object', required: ['label'], additionalProperties: false, properties: { label: { enum: ['spam', 'ham', 'unsure'] } } }],
  ['a string with length bounds', { type: 'object', required: ['summary'], additionalProperties: false, properties: { summary: { type: 'string', minLength: 10, maxLength: 40 } } }],
];

describe('skillc emulate stands in for a model', () => {
  describe.each(PROVIDERS)('%s', (provider) => {
    it.each(SCHEMAS)('structured output with %s is valid JSON of the schema, request after request', async (_name, schema) => {
      const emu = await emulate(provider, ['--seed', '5']);
      try {
        const validate = ajv.compile(schema as object);
        for (let i = 0; i < 4; i++) {
          const res = await emu.adapter.generate(ask('Classify this.', { output: { schema, name: 'result' } }));
          const value: unknown = JSON.parse(res.text);
          expect(validate(value), `${res.text}: ${JSON.stringify(validate.errors)}`).toBe(true);
        }
      } finally {
        await emu.stop();
      }
    });

    it('values vary with the seed, and repeat for the same seed', async () => {
      const schema = SCHEMAS[0]![1];
      const replies = async (seed: number) => {
        const emu = await emulate(provider, ['--seed', String(seed)]);
        try {
          const texts: string[] = [];
          for (let i = 0; i < 3; i++) texts.push((await emu.adapter.generate(ask('Go.', { output: { schema } }))).text);
          return texts;
        } finally {
          await emu.stop();
        }
      };
      const [a, b, again] = [await replies(1), await replies(2), await replies(1)];
      expect(a).toEqual(again);
      expect(a).not.toEqual(b);
      // Within one run the values differ too, so a `when:` on them can take either branch.
      expect(new Set(a).size).toBe(3);
    });

    it('calls an offered tool with schema-valid arguments, then answers after the tool result', async () => {
      const tools = [
        {
          name: 'lookup_order',
          description: 'Find an order',
          parameters: { type: 'object', additionalProperties: false, required: ['order_id', 'region'], properties: { order_id: { type: 'string', pattern: '^ORD-[0-9]{6}$' }, region: { enum: ['eu', 'us'] } } },
        },
        { name: 'refund', description: 'Refund an order', parameters: { type: 'object', required: ['amount'], properties: { amount: { type: 'number', minimum: 1, maximum: 500 } } } },
      ];
      const answer: JsonSchema = { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { enum: ['shipped', 'lost'] } } };
      const emu = await emulate(provider, ['--seed', '3']);
      try {
        const called = new Set<string>();
        for (let i = 0; i < 6; i++) {
          const first = await emu.adapter.generate(ask('Where is my order?', { tools }));
          expect(first.toolCalls).toHaveLength(1);
          const call = first.toolCalls[0]!;
          const tool = tools.find((t) => t.name === call.name);
          expect(tool, `called ${call.name}, not an offered tool`).toBeDefined();
          expect(ajv.compile(tool!.parameters)(call.arguments), JSON.stringify(call.arguments)).toBe(true);
          called.add(call.name);
          const final = await emu.adapter.generate(
            ask('Where is my order?', {
              tools,
              output: { schema: answer },
              messages: [
                { role: 'user', content: 'Where is my order?' },
                { role: 'assistant', content: first.text, toolCalls: first.toolCalls },
                { role: 'tool', toolCallId: call.id, name: call.name, content: '{"found": true}' },
              ],
            }),
          );
          expect(final.toolCalls).toEqual([]);
          expect(ajv.compile(answer as object)(JSON.parse(final.text))).toBe(true);
        }
        // The tool is drawn from the offered ones, so both get called over a few requests.
        expect([...called].sort()).toEqual(['lookup_order', 'refund']);
        // A named tool choice is honoured; `none` means no call.
        const named = await emu.adapter.generate(ask('Refund it.', { tools, toolChoice: { name: 'refund' } }));
        expect(named.toolCalls.map((c) => c.name)).toEqual(['refund']);
        const none = await emu.adapter.generate(ask('Just talk.', { tools, toolChoice: 'none' }));
        expect(none.toolCalls).toEqual([]);
        expect(none.text).toBe('echo: Just talk.');
      } finally {
        await emu.stop();
      }
    });

    it.each([
      ['replies.jsonl', '{"tool_calls": [{"name": "lookup", "arguments": {"id": 7}}]}\n\n{"json": {"tone": "angry"}}\n"plain text"\n'],
      ['replies.yaml', '- tool_calls:\n    - name: lookup\n      arguments: { id: 7 }\n- json: { tone: angry }\n- plain text\n'],
      ['replies.json', '[{"tool_calls": [{"name": "lookup", "arguments": {"id": 7}}]}, {"json": {"tone": "angry"}}, "plain text"]'],
    ])('--replies %s: served in order, then generated replies', async (file, content) => {
      writeFileSync(path.join(work, `${provider}-${file}`), content);
      const emu = await emulate(provider, ['--replies', `${provider}-${file}`]);
      try {
        expect(emu.stderr()).toContain(`scripted replies: 3 from ${provider}-${file}`);
        const tools = [{ name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { id: { type: 'integer' } } } }];
        const first = await emu.adapter.generate(ask('a', { tools }));
        expect(first.toolCalls.map((c) => [c.name, c.arguments])).toEqual([['lookup', { id: 7 }]]);
        expect(JSON.parse((await emu.adapter.generate(ask('b'))).text)).toEqual({ tone: 'angry' });
        expect((await emu.adapter.generate(ask('c'))).text).toBe('plain text');
        expect((await emu.adapter.generate(ask('d'))).text).toBe('echo: d');
      } finally {
        await emu.stop();
      }
    });
  });

  it('JSON mode without a schema (OpenAI json_object) gets a JSON object, through the OpenAI SDK', async () => {
    const emu = await emulate('openai', ['--seed', '9']);
    try {
      const client = new OpenAI({ apiKey: 'k', baseURL: emu.baseURL, maxRetries: 0 });
      const res = await client.chat.completions.create({ model: 'gpt-5', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'Reply in JSON.' }] });
      const value: unknown = JSON.parse(res.choices[0]!.message.content ?? '');
      expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
    } finally {
      await emu.stop();
    }
  });

  it.each([
    ['bad.jsonl', '"ok"\n{"text": "fine"}\n{"txt": "typo"}\n', 'bad.jsonl:3:1: unknown field `txt`'],
    ['broken.jsonl', '"ok"\n{not json\n', 'broken.jsonl:2:1: not valid JSON'],
    ['bad.yaml', '- text: fine\n- tool_calls:\n    - arguments: {}\n', 'bad.yaml:2:3: each tool call needs a `name`'],
    ['map.yaml', 'text: hello\n', 'map.yaml:1:1: the replies file must hold a list of replies'],
    ['missing.jsonl', null, 'missing.jsonl: cannot read the replies file (no such file)'],
    ['replies.txt', 'hello\n', 'replies.txt: unknown replies file type'],
  ])('a bad --replies file %s is a usage error naming the place', async (file, content, message) => {
    if (content !== null) writeFileSync(path.join(work, file), content);
    let err = '';
    const io: CliIO = { stdout: { write: () => true }, stderr: { write: (s: string) => ((err += s), true) }, cwd: work, env: {}, signal: AbortSignal.abort() };
    expect(await main(['emulate', '--replies', file], io)).toBe(2);
    expect(err).toContain(`skillc emulate: ${message}`);
    expect(err).not.toContain('    at ');
  });
});
