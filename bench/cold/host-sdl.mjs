// A host as users write one: imports the built runtime and adapters, loads every compiled skill of
// the project, and makes one call through the router and the default middleware chain. Run by
// run.ts as a whole process; prints its own resource usage as JSON on the last line.
// Usage: node host-sdl.mjs <emulator-url> <ir-dir> <tools-dir>
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AnthropicAdapter, findModel } from '@sdl/adapters';
import {
  CircuitBreakers,
  createDefaultChain,
  createRuntime,
  EngineRegistry,
  EngineRouter,
  loadIrFile,
  MemoryBreakerStore,
  MemoryRateLimiter,
  systemClock,
} from '@sdl/runtime';

const [url, dir, toolsDir] = process.argv.slice(2);
const adapter = new AnthropicAdapter({ apiKey: 'k', baseURL: url, timeoutMs: 60_000 });
const registry = new EngineRegistry([{ name: 'claude', provider: 'anthropic', model: 'claude-sonnet-5', adapter, config: {} }], 'claude');
const chain = createDefaultChain({ breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock), limiter: new MemoryRateLimiter(systemClock) });
// Only claude is configured while the skills also prefer openai and cohere: `strictEngines: false` skips
// those names (the default refuses them), so this host measures what it did before that default.
const runtime = createRuntime({ router: new EngineRouter({ registry, chain, describeModel: findModel }), strictEngines: false });
const skills = {};
for (const file of (await readdir(dir)).filter((f) => f.endsWith('.skill.json')).sort()) {
  skills[file] = await loadIrFile(path.join(dir, file));
}
const registered = new Set();
// The host's own tools (here the stand-ins `skillc test` uses), registered before the skills load.
for (const skill of Object.values(skills)) {
  const module = path.join(toolsDir, `${skill.name}.tools.mjs`);
  if (!existsSync(module)) continue;
  const tools = (await import(pathToFileURL(module).href)).default;
  for (const [name, tool] of Object.entries(tools)) {
    registered.add(name);
    runtime.tools.register(name, { parameters: skill.tools[name]?.parameters ?? { type: 'object' }, execute: tool.execute });
  }
}
// Tools with no stand-in module: the host's own, here answering nothing (the call below uses none).
for (const skill of Object.values(skills)) {
  for (const [name, declaration] of Object.entries(skill.tools)) {
    if (registered.has(name)) continue;
    registered.add(name);
    runtime.tools.register(name, { parameters: declaration.parameters ?? { type: 'object' }, execute: () => null });
  }
}
for (const skill of Object.values(skills)) runtime.load(skill);
const result = await runtime.run(skills['meeting-action-items.skill.json'], {
  meeting_date: '2026-11-16',
  attendees: ['Priya', 'Tom'],
  notes: 'Priya will patch the SDK wrapper by Friday.',
});
if (result.output === undefined) throw new Error('no output');
process.stdout.write(`${JSON.stringify({ skills: Object.keys(skills).length, usage: process.resourceUsage() })}\n`);
