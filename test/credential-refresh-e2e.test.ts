/**
 * A key rotated while a host runs: skills through `runtime.run`, the router and the default chain,
 * engines built from a loaded config by `engineEntriesFromConfig` with a host credential callback for
 * the primary. After the provider stops accepting the old key, every run is still served by the
 * primary (the refresh happens below failover), with one callback per rotation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModel, parseConfig, startEmulator, type Emulator } from '@sdl/adapters';
import {
  CircuitBreakers,
  createDefaultChain,
  createRuntime,
  engineEntriesFromConfig,
  EngineRegistry,
  EngineRouter,
  loadSkillSource,
  MemoryBreakerStore,
  MemoryRateLimiter,
  systemClock,
} from '@sdl/runtime';

const SKILL = `sdl: "1.0"
name: say
version: 1.0.0
description: Says something.
inputs: { type: object, properties: { text: { type: string } }, required: [text] }
engines:
  prefer: [claude, gpt]
steps:
  - id: say
    prompt: { user: "{{ inputs.text }}" }
`;

let claude: Emulator;
let gpt: Emulator;
beforeAll(async () => {
  claude = await startEmulator({ provider: 'anthropic', apiKeys: ['old-claude-key'], reply: { text: 'from claude' } });
  gpt = await startEmulator({ provider: 'openai', reply: { text: 'from gpt' } });
});
afterAll(async () => {
  await claude.close();
  await gpt.close();
});

describe('a key rotated under load', () => {
  it('never fails over or fails a run a fresh key would serve; one callback per rotation', async () => {
    const text = [
      'engines:',
      `  claude: { provider: anthropic, model: claude-sonnet-5, base_url: "${claude.url}", api_key: "\${env:UNUSED:-placeholder}" }`,
      `  gpt: { provider: openai, model: gpt-5.4, base_url: "${gpt.url}", api_key: "\${env:GPT_KEY}" }`,
    ].join('\n');
    const { config } = parseConfig(text, 'sdl.config.yaml', { env: { GPT_KEY: 'gpt-key' } });
    let issued = 'old-claude-key';
    let fetches = 0;
    const entries = engineEntriesFromConfig(config!, {
      credentials: { claude: async () => ((fetches += 1), { apiKey: issued }) },
    });
    const chain = createDefaultChain({ breakers: new CircuitBreakers(new MemoryBreakerStore(), systemClock), limiter: new MemoryRateLimiter(systemClock) });
    const router = new EngineRouter({ registry: new EngineRegistry(entries, 'claude'), chain, describeModel: findModel });
    const runtime = createRuntime({ router });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sdl-rotate-e2e-')), 'say.skill.yaml');
    writeFileSync(file, SKILL);
    const skill = runtime.load(await loadSkillSource(file));

    const first = await runtime.run(skill, { text: 'one' });
    expect(first.output).toBe('from claude');

    claude.acceptKeys('new-claude-key');
    issued = 'new-claude-key';
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => runtime.run(skill, { text: `run ${i}` })));
    expect(results.map((r) => r.output)).toEqual(Array(16).fill('from claude'));
    expect(results.every((r) => r.engines.join() === 'claude')).toBe(true);
    expect(gpt.requests).toHaveLength(0);
    expect(fetches).toBe(2);
  });
});
