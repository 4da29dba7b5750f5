import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '@sdl/adapters';
import { type CliIO, main } from '@sdl/cli';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeWithRedis, REDIS_URL } from '../../../test/support/redis.js';
import { project } from './helpers.js';

const ANTHROPIC_KEY = 'sk-ant-run-test-0123456789abcdef0123';
const OPENAI_KEY = 'sk-openai-run-test-abcdef0123456789';
const ENV = { ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY };

/** Runs `skillc` in-process; `tty` makes stdout look like a terminal. */
async function skillc(argv: string[], cwd: string, options: { env?: NodeJS.ProcessEnv; tty?: boolean; signal?: AbortSignal; stdin?: string } = {}) {
  const chunks: string[] = [];
  let err = '';
  const io: CliIO = {
    stdout: { write: (s: string) => chunks.push(s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (err += s) },
    cwd,
    env: options.env ?? ENV,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.stdin !== undefined ? { stdin: [Buffer.from(options.stdin)] } : {}),
  };
  const code = await main(['run', ...argv], io);
  const out = chunks.join('');
  // No key ever reaches the user's screen or a log.
  expect(out + err).not.toContain(ANTHROPIC_KEY);
  expect(out + err).not.toContain(OPENAI_KEY);
  return { code, out, err, chunks };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

const ECHO_SKILL = `sdl: "1.0"
name: echo
version: 1.0.0
description: Say a word back.
inputs:
  type: object
  required: [word]
  properties:
    word: { type: string }
    times: { type: integer, minimum: 1, default: 1 }
steps:
  - id: say
    prompt: { user: "Say {{ inputs.word }}" }
`;

const CHAT_SKILL = `sdl: "1.0"
name: chat
version: 1.0.0
description: A conversation that remembers.
inputs:
  type: object
  required: [message]
  properties:
    message: { type: string }
memory: { conversation: true, max_turns: 20 }
steps:
  - id: reply
    prompt: { user: "{{ inputs.message }}" }
`;

const TWO_STEP_SKILL = `sdl: "1.0"
name: twostep
version: 1.0.0
description: Two steps, structured output at the end.
inputs:
  type: object
  required: [topic]
  properties:
    topic: { type: string }
steps:
  - id: draft
    prompt: { user: "Draft {{ inputs.topic }}" }
  - id: polish
    prompt: { user: "Polish {{ steps.draft.output }}" }
return: '{"draft": steps.draft.output, "final": steps.polish.output}'
`;

describe('skillc run', () => {
  let claude: Emulator;
  let openai: Emulator;

  beforeAll(async () => {
    [claude, openai] = await Promise.all([startEmulator({ provider: 'anthropic' }), startEmulator({ provider: 'openai' })]);
  });
  afterAll(async () => {
    await Promise.all([claude.close(), openai.close()]);
  });
  beforeEach(() => {
    claude.requests.length = 0;
    openai.requests.length = 0;
  });

  const config = (extra = '') =>
    [
      'engines:',
      `  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "\${env:ANTHROPIC_API_KEY}", base_url: "${claude.url}" }`,
      `  gpt: { provider: openai, model: gpt-5.4, api_key: "\${env:OPENAI_API_KEY}", base_url: "${openai.url}" }`,
      'default_engine: claude',
      extra,
    ].join('\n');

  it('streams the model text to stdout as it arrives and ends with usage and cost per engine', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO_SKILL });
    const { code, out, err, chunks } = await skillc(['echo.skill.yaml', '--input', '{"word": "hello"}'], cwd, { tty: true });
    expect(err).not.toContain('error');
    expect(code).toBe(0);
    expect(out).toBe('echo: Say hello\n');
    // Streamed, not written once at the end: the emulator sends the reply in several deltas.
    expect(chunks.length).toBeGreaterThan(2);
    expect(claude.requests).toHaveLength(1);
    expect((claude.requests[0]!.body as { stream?: boolean }).stream).toBe(true);
    expect(err).toMatch(/engine\s+model\s+calls\s+input tokens\s+output tokens\s+cost/);
    expect(err).toMatch(/\nclaude\s+claude-sonnet-5\s+1\s+\d+\s+\d+\s+\$[0-9.e-]+\n/);
    expect(err).toMatch(/\ntotal\s+1\s+\d+\s+\d+\s+\$/);
  });

  it('on a pipe prints the result once, at the end, and no progress lines', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO_SKILL, 'two.skill.yaml': TWO_STEP_SKILL });
    const text = await skillc(['echo.skill.yaml', '--input', '{"word": "piped"}'], cwd);
    expect(text.code).toBe(0);
    expect(text.chunks).toEqual(['echo: Say piped\n']);
    expect(text.err).not.toContain('▸');
    // Structured output: the JSON once, not the streamed step text and then the JSON again.
    const structured = await skillc(['two.skill.yaml', '--input', '{"topic": "tea"}'], cwd);
    expect(structured.code).toBe(0);
    expect(structured.chunks).toHaveLength(1);
    expect(JSON.parse(structured.out)).toMatchObject({ final: 'echo: Polish echo: Draft tea' });
  });

  it('--json prints exactly one JSON object {error: {code, message}} on every kind of failure', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO_SKILL, 'bad.json': '{"word": ', 'many.jsonl': '{"word": "a"}\n{"word": "b"}\n' });
    const cases: [string[], number, string, RegExp][] = [
      [['missing.skill.yaml'], 2, 'skill_missing', /^missing\.skill\.yaml does not exist$/],
      [['echo.skill.yaml', '--config', 'nope.yaml'], 2, 'config_missing', /^the config file nope\.yaml does not exist; check --config$/],
      [['echo.skill.yaml', '--input', '@bad.json'], 1, 'input', /^bad\.json is not valid JSON: Unexpected end of JSON input; pass an object/],
      [['echo.skill.yaml', '--input', '@many.jsonl'], 1, 'input', /^many\.jsonl holds 2 JSON lines: skillc run takes one input object; running a skill over many inputs \(a batch\) is not part of `skillc run` yet/],
      [['echo.skill.yaml', '--input', '{}'], 1, 'input_invalid', /required property 'word'|word/],
      [['echo.skill.yaml', '--engine', 'mistral'], 2, 'usage', /^--engine `mistral` is not configured in sdl\.config\.yaml \(engines: claude, gpt\)$/],
    ];
    for (const [args, exit, code, message] of cases) {
      const result = await skillc([...args, '--json'], cwd);
      expect(result.code, args.join(' ')).toBe(exit);
      expect(result.out.endsWith('\n') && result.out.indexOf('\n') === result.out.length - 1, args.join(' ')).toBe(true);
      const parsed = JSON.parse(result.out) as { error: { code: string; message: string } };
      expect(Object.keys(parsed), args.join(' ')).toEqual(['error']);
      expect(parsed.error.code, args.join(' ')).toBe(code);
      expect(parsed.error.message, args.join(' ')).toMatch(message);
    }
    // An engine failure after the run started: the code names the engine error.
    claude.enqueueFault('401');
    openai.enqueueFault('401');
    const failed = await skillc(['echo.skill.yaml', '--input', '{"word": "x"}', '--json'], cwd);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.out)).toEqual({
      error: { code: 'no_engine', message: expect.stringMatching(/^echo\.skill\.yaml:12:5: step `say`: no engine could serve the call:\n {2}- claude: auth/) },
    });
  });

  it('--input - reads one object from standard input; JSON Lines get a clear refusal', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO_SKILL });
    const one = await skillc(['echo.skill.yaml', '--input', '-', '--json'], cwd, { stdin: '{"word": "stdin"}\n' });
    expect(one.code).toBe(0);
    expect(JSON.parse(one.out).output).toBe('echo: Say stdin');
    const many = await skillc(['echo.skill.yaml', '--input', '-'], cwd, { stdin: '{"word": "a"}\n{"word": "b"}\n{"word": "c"}\n' });
    expect(many.code).toBe(1);
    expect(many.err).toBe(
      "skillc run: standard input (--input -) holds 3 JSON lines: skillc run takes one input object; running a skill over many inputs (a batch) is not part of `skillc run` yet; pass one object (--input '<json>', @file.json or -)\n",
    );
    const empty = await skillc(['echo.skill.yaml', '--input', '-'], cwd, { stdin: '' });
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('standard input (--input -) was empty; pipe one JSON object');
    const none = await skillc(['echo.skill.yaml', '--input', '-'], cwd);
    expect(none.code).toBe(2);
    expect(none.err).toContain('--input - reads the input from standard input, and there is none here');
    expect(claude.requests).toHaveLength(1);
  });

  it('shows step progress on stderr when stdout is a terminal', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'two.skill.yaml': TWO_STEP_SKILL });
    const { code, out, err } = await skillc(['two.skill.yaml', '--input', '{"topic": "tea"}'], cwd, { tty: true });
    expect(code).toBe(0);
    expect(err).toContain('▸ draft\n');
    expect(err).toMatch(/✓ draft \(\d+ ms\)\n/);
    expect(err.indexOf('▸ polish')).toBeGreaterThan(err.indexOf('✓ draft'));
    // Each step's text on its own line, then the structured result of `return:`.
    expect(out).toContain('echo: Draft tea\necho: Polish echo: Draft tea\n');
    expect(out).toContain('"final": "echo: Polish echo: Draft tea"');
  });

  it('--json prints exactly one JSON object on stdout', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO_SKILL, 'in.json': '{"word": "json"}' });
    const { code, out } = await skillc(['echo.skill.yaml', '--input', '@in.json', '--json'], cwd, { tty: true });
    expect(code).toBe(0);
    expect(out.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(['cost', 'engines', 'output', 'usage']);
    expect(parsed.output).toBe('echo: Say json');
    expect(parsed.engines).toEqual(['claude']);
    expect(parsed.usage).toEqual({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
    expect((parsed.usage as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect(parsed.cost).toBeGreaterThan(0);
  });

  it('--session continues a conversation across two invocations with a file store', async () => {
    const cwd = project({ 'sdl.config.yaml': config('state: { store: file, path: .state }'), 'chat.skill.yaml': CHAT_SKILL });
    const first = await skillc(['chat.skill.yaml', '--session', 'user-42', '--input', '{"message": "my name is Ada"}', '--json'], cwd);
    expect(first.code).toBe(0);
    const second = await skillc(['chat.skill.yaml', '--session', 'user-42', '--input', '{"message": "what is my name?"}', '--json'], cwd);
    expect(second.code).toBe(0);
    const messages = (claude.requests[1]!.body as { messages: Array<{ role: string; content: unknown }> }).messages;
    const text = JSON.stringify(messages);
    // The second process-like invocation saw the first turn and its reply, before its own question.
    expect(text).toContain('my name is Ada');
    expect(text).toContain('echo: my name is Ada');
    expect(text.indexOf('my name is Ada')).toBeLessThan(text.indexOf('what is my name?'));
    // Another session id starts fresh.
    await skillc(['chat.skill.yaml', '--session', 'user-7', '--input', '{"message": "hi"}', '--json'], cwd);
    expect(JSON.stringify(claude.requests[2]!.body)).not.toContain('Ada');
  });

  it('refuses a corrupt session record (CRC mismatch) and sends nothing to the model', async () => {
    const cwd = project({ 'sdl.config.yaml': config('state: { store: file, path: .state }'), 'chat.skill.yaml': CHAT_SKILL });
    expect((await skillc(['chat.skill.yaml', '--session', 'user-9', '--input', '{"message": "remember 1234"}', '--json'], cwd)).code).toBe(0);
    const records = filesUnder(join(cwd, '.state')).filter((f) => readFileSync(f, 'utf8').includes('remember 1234'));
    expect(records).toHaveLength(1);
    writeFileSync(records[0]!, readFileSync(records[0]!, 'utf8').replace('remember 1234', 'remember 9999'));
    const { code, out, err } = await skillc(['chat.skill.yaml', '--session', 'user-9', '--input', '{"message": "what was it?"}', '--json'], cwd);
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ error: { code: 'state', message: expect.stringMatching(/^session state: .*CRC32 mismatch/) } });
    expect(err).toMatch(/skillc run: session state: .*(CRC|crc)/);
    expect(claude.requests).toHaveLength(1);
  });

  it('says when the Redis state store cannot be reached, naming host and port but not the URL (exit 1)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const cwd = project({
      'sdl.config.yaml': config(`state: { store: redis, url: "redis://:hunter2-secret@127.0.0.1:${port}" }`),
      'chat.skill.yaml': CHAT_SKILL,
    });
    const { code, out, err } = await skillc(['chat.skill.yaml', '--session', 'u1', '--input', '{"message": "hi"}'], cwd);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain(`cannot reach the Redis state store at 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(err).not.toContain('hunter2-secret');
    expect(claude.requests).toHaveLength(0);
  });

  it('lists input validation errors with their JSON paths (exit 1) and calls no engine', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO_SKILL });
    const { code, out, err } = await skillc(['echo.skill.yaml', '--input', '{"times": 0}'], cwd);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('invalid input for skill `echo`');
    expect(err).toContain('/word: required property `word` is missing');
    expect(err).toContain('/times: must be >= 1');
    expect(claude.requests).toHaveLength(0);
  });

  it('reports input that is not JSON with its line and column (exit 1)', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO_SKILL });
    const { code, err } = await skillc(['echo.skill.yaml', '--input', '{"word": hello}'], cwd);
    expect(code).toBe(1);
    expect(err).toMatch(/--input is not valid JSON: Unexpected token 'h'/);
    expect(err).toContain('--input @input.json');
  });

  it('reports config errors at file:line:col (exit 1) without echoing the environment', async () => {
    const cwd = project({
      'sdl.config.yaml': `engines:\n  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "\${env:MISSING_KEY}", timout_ms: 5 }\n`,
      'echo.skill.yaml': ECHO_SKILL,
    });
    const { code, out, err } = await skillc(['echo.skill.yaml', '--input', '{"word": "x"}'], cwd);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/sdl\.config\.yaml:2:\d+: error SDL2901: unknown key `timout_ms`/);
    expect(err).toMatch(/sdl\.config\.yaml:2:\d+: error SDL3901: the environment variable MISSING_KEY is not set/);
    expect(err).toContain('did you mean `timeout_ms`');
  });

  it('reports skill diagnostics at file:line:col (exit 1)', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'bad.skill.yaml': ECHO_SKILL.replace('  - id: say\n', '  - id: say\n    bogus: 1\n') });
    const { code, err } = await skillc(['bad.skill.yaml', '--input', '{"word": "x"}'], cwd);
    expect(code).toBe(1);
    expect(err).toMatch(/bad\.skill\.yaml:\d+:\d+: error SDL\d{4}: /);
    expect(err).toContain('bogus');
  });

  it('fails over to the second engine when the first rejects its key; the switch shows on a terminal', async () => {
    const cwd = project({
      'sdl.config.yaml': config(),
      'echo.skill.yaml': ECHO_SKILL.replace('steps:', 'engines: { prefer: [claude, gpt] }\nsteps:'),
    });
    claude.enqueueFault('401');
    const { code, out, err } = await skillc(['echo.skill.yaml', '--input', '{"word": "again"}'], cwd, { tty: true });
    expect(code).toBe(0);
    expect(out).toBe('echo: Say again\n');
    expect(err).toContain('⇄ say: engine claude → gpt (auth)');
    expect(err).toMatch(/\ngpt\s+gpt-5\.4\s+1\s/);
    expect(claude.requests.map((r) => r.status)).toEqual([401]);
    expect(openai.requests).toHaveLength(1);
  });

  it('names the failing engine and the error kind, never the key (exit 1)', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO_SKILL });
    claude.enqueueFault('context');
    const { code, out, err } = await skillc(['echo.skill.yaml', '--engine', 'claude', '--input', '{"word": "long"}'], cwd);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/engine `claude` \(anthropic\) failed: context_length \(HTTP 400\)/);
  });

  it('lists every engine tried when all fail', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO_SKILL.replace('steps:', 'engines: { prefer: [claude, gpt] }\nsteps:') });
    claude.enqueueFault('401');
    openai.enqueueFault('401');
    const { code, err } = await skillc(['echo.skill.yaml', '--input', '{"word": "x"}'], cwd);
    expect(code).toBe(1);
    expect(err).toContain('echo.skill.yaml:13:5: step `say`: no engine could serve the call:\n  - claude: auth (anthropic, HTTP 401)\n  - gpt: auth (openai, HTTP 401)');
    expect(err).not.toContain(cwd);
  });

  it('runs on a scripted engine offline, and --engine picks it', async () => {
    const cwd = project({
      'sdl.config.yaml': `${config()}\n`.replace('default_engine: claude', '  offline: { provider: scripted, model: scripted }\ndefault_engine: claude'),
      'echo.skill.yaml': ECHO_SKILL,
    });
    const { code, out } = await skillc(['echo.skill.yaml', '--engine', 'offline', '--input', '{"word": "local"}', '--json'], cwd);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ output: 'Say local', engines: ['offline'] });
    expect(claude.requests).toHaveLength(0);
  });

  it('runs a compiled IR file and host tools from <name>.tools.mjs: beside the file run, beside its source, or --tools', async () => {
    const tooled = `sdl: "1.0"
name: lookup
version: 1.0.0
description: Look a term up.
inputs: { type: object, required: [term], properties: { term: { type: string } } }
tools:
  define: { description: Define a term, parameters: { type: object, required: [term], properties: { term: { type: string } } } }
steps:
  - id: fetch
    tool: define
    with: { term: inputs.term }
`;
    const cwd = project({
      'sdl.config.yaml': config(),
      'lookup.skill.yaml': tooled,
      'lookup.tools.mjs': 'export default { define: { execute: ({ term }) => ({ term, meaning: `the word ${term}` }) } };\n',
    });
    const compiled = await skillc(['lookup.skill.yaml', '--input', '{"term": "tea"}', '--json'], cwd);
    expect(compiled.code).toBe(0);
    expect(JSON.parse(compiled.out).output).toEqual({ term: 'tea', meaning: 'the word tea' });

    // Standalone: the test copies the compiled file alone to other directories.
    const compile = await main(['compile', 'lookup.skill.yaml', '--out', 'dist', '--standalone'], { stdout: { write: () => true }, stderr: { write: () => true }, cwd, env: {} });
    expect(compile).toBe(0);
    const ir = join(cwd, 'dist', 'lookup.skill.json');
    expect(readFileSync(ir, 'utf8')).toContain('"ir_version"');
    // From dist/: the module beside the source file the IR names (lookup.skill.yaml).
    const besideSource = await skillc(['dist/lookup.skill.json', '--input', '{"term": "ir"}', '--json'], cwd);
    expect(besideSource.code).toBe(0);
    expect(JSON.parse(besideSource.out).output).toEqual({ term: 'ir', meaning: 'the word ir' });
    // Beside the file run comes first.
    writeFileSync(join(cwd, 'dist', 'lookup.tools.mjs'), 'export default { define: { execute: ({ term }) => ({ term, meaning: `built ${term}` }) } };\n');
    const besideIr = await skillc(['dist/lookup.skill.json', '--input', '{"term": "ir"}', '--json'], cwd);
    expect(JSON.parse(besideIr.out).output).toEqual({ term: 'ir', meaning: 'built ir' });
    // --tools wins over both.
    writeFileSync(join(cwd, 'elsewhere.mjs'), 'export default { define: { execute: ({ term }) => ({ term, meaning: `other ${term}` }) } };\n');
    const explicit = await skillc(['dist/lookup.skill.json', '--tools', 'elsewhere.mjs', '--input', '{"term": "ir"}', '--json'], cwd);
    expect(JSON.parse(explicit.out).output).toEqual({ term: 'ir', meaning: 'other ir' });
    const missing = await skillc(['dist/lookup.skill.json', '--tools', 'nope.mjs', '--input', '{"term": "ir"}'], cwd);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('skillc run: --tools nope.mjs does not exist; pass the path of the tools module\n');
    // Neither beside the IR nor beside the source: the message names both places and the option.
    const bare = project({ 'sdl.config.yaml': config() });
    copyFileSync(ir, join(bare, 'lookup.skill.json'));
    const none = await skillc(['lookup.skill.json', '--input', '{"term": "ir"}'], bare);
    expect(none.code).toBe(1);
    expect(none.err).toBe(
      'skillc run: skill `lookup` declares tools (define); write lookup.tools.mjs exporting `export default { define: { execute(args) { ... } } }`, or pass --tools <module>\n',
    );
  });

  it("loads the tools of `uses:` dependencies from the modules beside them (the repository's brief-from-document)", async () => {
    // The skill prefers [claude, openai]: both must be configured (skillc run refuses unknown names).
    const cwd = project({ 'sdl.config.yaml': config().replace('  gpt:', '  openai:') });
    const skill = fileURLToPath(new URL('../../../skills/brief-from-document.skill.yaml', import.meta.url));
    const { code, out, err } = await skillc([skill, '--input', '{"document_id": "memo-7", "language": "zh"}', '--json'], cwd);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(out) as { output: { title: string; findings: string[] }; engines: string[] };
    expect(Object.keys(result.output).sort()).toEqual(['brief', 'findings', 'title']);
    // The document came from fetch-document.tools.mjs (a dependency's host tool) into the prompts.
    expect(JSON.stringify(claude.requests.map((r) => r.body))).toContain('第三季度工单量增长18%');
  });

  it('says how to write a config when there is none; bad flags and missing files exit 2', async () => {
    const cwd = project({ 'echo.skill.yaml': ECHO_SKILL });
    const none = await skillc(['echo.skill.yaml'], cwd);
    expect(none.code).toBe(2);
    expect(none.err).toContain('no sdl.config.yaml in');
    expect(none.err).toContain('skillc emulate');
    expect(none.err).toContain('provider: anthropic');

    const withConfig = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO_SKILL });
    expect((await skillc(['missing.skill.yaml'], withConfig)).code).toBe(2);
    expect((await skillc(['echo.skill.yaml', '--config', 'nope.yaml'], withConfig)).err).toContain('nope.yaml does not exist');
    expect((await skillc(['echo.skill.yaml', '--input', '@nope.json'], withConfig)).code).toBe(2);
    expect((await skillc(['echo.skill.yaml', '--bogus'], withConfig)).code).toBe(2);
    expect((await skillc([], withConfig)).code).toBe(2);
    const unknownEngine = await skillc(['echo.skill.yaml', '--engine', 'mistral', '--input', '{"word": "x"}'], withConfig);
    expect(unknownEngine.code).toBe(2);
    expect(unknownEngine.err).toContain('--engine `mistral` is not configured');
    expect(claude.requests).toHaveLength(0);
  });

  it('Ctrl-C (the CLI abort signal) cancels the run and aborts the request in flight', async () => {
    const cwd = project({ 'sdl.config.yaml': config(), 'echo.skill.yaml': ECHO_SKILL });
    claude.enqueueFault('stall');
    const controller = new AbortController();
    const pending = skillc(['echo.skill.yaml', '--input', '{"word": "wait"}'], cwd, { signal: controller.signal });
    // Abort once the stalled request has reached the emulator.
    while (claude.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const { code, err } = await pending;
    expect(code).toBe(130);
    expect(err).toContain('cancelled');
  });
});

describeWithRedis('skillc run with a Redis state store', () => {
  let claude: Emulator;
  beforeAll(async () => {
    claude = await startEmulator({ provider: 'anthropic' });
  });
  afterAll(() => claude.close());

  it('--session continues a conversation across two invocations (keys under the configured prefix, with a TTL)', async () => {
    const prefix = `skillc-run-test-${process.pid}-${Date.now()}`;
    const cwd = project({
      'sdl.config.yaml': [
        'engines:',
        `  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "\${env:ANTHROPIC_API_KEY}", base_url: "${claude.url}" }`,
        `state: { store: redis, url: "\${env:REDIS_URL}", prefix: "${prefix}" }`,
      ].join('\n'),
      'chat.skill.yaml': CHAT_SKILL.replace('max_turns: 20', 'max_turns: 20, ttl_s: 60'),
    });
    const env = { ...ENV, REDIS_URL };
    expect((await skillc(['chat.skill.yaml', '--session', 'u1', '--input', '{"message": "my color is teal"}', '--json'], cwd, { env })).code).toBe(0);
    const second = await skillc(['chat.skill.yaml', '--session', 'u1', '--input', '{"message": "which color?"}', '--json'], cwd, { env });
    expect(second.code).toBe(0);
    expect(JSON.stringify(claude.requests[1]!.body)).toContain('echo: my color is teal');
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const ttl = await redis.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
      }
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });
});
