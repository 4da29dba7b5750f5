/**
 * The files of `skillc init` without a name: a project a user keeps. Each template is plain text
 * so that what is written is what a reader of this file sees.
 */

/** The example skill's name (under `skills/`). */
export const EXAMPLE_SKILL = 'answer-question';

/** Where the example skill is compiled to, and where the host program loads it from. */
const EXAMPLE_IR = `build/${EXAMPLE_SKILL}.skill.json`;

/** `sdl.config.yaml`: the engines, keys and base URLs from the environment (never in the file). */
export const CONFIG_TEMPLATE = `# Engines, keys and the state store of this project (see SDL's spec/config.md).
# Keys come from the environment; never write them in this file.
# Offline: \`npx skillc emulate\` prints a base URL: set ANTHROPIC_BASE_URL to it (and any key).
engines:
  claude:
    provider: anthropic
    model: claude-sonnet-5
    api_key: "\${env:ANTHROPIC_API_KEY}"
    base_url: "\${env:ANTHROPIC_BASE_URL:-https://api.anthropic.com}"
  openai:
    provider: openai
    model: gpt-5.4
    api_key: "\${env:OPENAI_API_KEY}"
    base_url: "\${env:OPENAI_BASE_URL:-https://api.openai.com/v1}"
default_engine: claude
# Conversation state: memory (one process), file (add \`path: .sdl/state\`) or redis (add \`url: "\${env:REDIS_URL}"\`).
state:
  store: memory
`;

/** Lines `.gitignore` must hold: build output, local config, state and secrets. */
export const GITIGNORE_LINES = ['node_modules/', 'build/', '.sdl/', '.env', '.env.*', 'sdl.config.local.yaml', '*.log'];

/** `host.mjs`: the smallest program that runs a compiled skill through the configured engines. */
export const HOST_TEMPLATE = `// Runs a compiled skill through the engines of sdl.config.yaml:
//   npx skillc compile skills/ --out build/ && node host.mjs [build/<skill>.skill.json] ['<input JSON>']
import {
  CircuitBreakers,
  createDefaultChain,
  createRuntime,
  createStateStore,
  EngineRegistry,
  engineEntryFromConfig,
  EngineRouter,
  loadConfig,
  loadSkillFile,
  MemoryBreakerStore,
  MemoryRateLimiter,
  systemClock,
} from '@sdl/runtime';

const [skillFile = '${EXAMPLE_IR}', inputText] = process.argv.slice(2);
const input = inputText
  ? JSON.parse(inputText)
  : { document: 'Orders ship within two business days. Returns are accepted for 30 days after delivery.', question: 'How long do I have to return an item?' };

const { config, diagnostics } = await loadConfig('sdl.config.yaml');
if (config === undefined) {
  for (const d of diagnostics) console.error(\`\${d.file}:\${d.range.start.line}:\${d.range.start.column}: \${d.severity} \${d.code} \${d.message}\`);
  process.exit(1);
}
const registry = new EngineRegistry(Object.values(config.engines).map(engineEntryFromConfig), config.defaultEngine);
const chain = createDefaultChain({
  breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock),
  limiter: new MemoryRateLimiter(systemClock),
});
const state = createStateStore(config.state, { baseDir: '.' });
// A skill naming an engine this config lacks is refused at load (SkillResolutionError), not run elsewhere.
const runtime = createRuntime({ router: new EngineRouter({ registry, chain }), state });
try {
  const skill = runtime.load(await loadSkillFile(skillFile));
  const result = await runtime.run(skill, input, { deadlineMs: 60_000 });
  console.log(JSON.stringify({ output: result.output, engines: result.engines }));
} finally {
  await state.close();
}
`;

/** `.vscode/settings.json`: every skill file gets the schema shipped in `@sdl/compiler`, offline. */
export const VSCODE_SETTINGS = `{
  "yaml.schemas": {
    "./node_modules/@sdl/compiler/schemas/sdl.schema.json": ["*.skill.yaml"]
  }
}
`;

/** The scripts added to `package.json` (an existing script of the same name is kept). */
export const PROJECT_SCRIPTS: Record<string, string> = {
  'skills:check': 'skillc check skills/',
  'skills:test': 'skillc test skills/',
  'skills:build': 'skillc compile skills/ --out build/',
  start: 'node host.mjs',
};

/** A package name from a directory name: lower case, npm's allowed characters, never empty. */
export function packageNameFor(directory: string): string {
  const name = directory.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[-]+$/g, '');
  return name === '' ? 'sdl-project' : name.slice(0, 214);
}
