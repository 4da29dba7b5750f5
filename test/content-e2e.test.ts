/**
 * Request-side content end to end through `runtime.run`: the real adapters (official SDKs over HTTP)
 * against the emulators, with the default middleware chain and the engine router.
 * - an image + PDF skill (skills/inspect-delivery.skill.yaml, files read from the media directory)
 *   on every engine whose model has `vision` and `pdf`, refused at load on one that has not, and a
 *   file path that leaves the media directory refused before any call.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  findModel,
  startEmulator,
  type EmulatedProvider,
  type Emulator,
} from '@sdl/adapters';
import {
  MemoryStore,
  createRuntime,
  loadSkillFile,
  type LoadedSkill,
} from '@sdl/runtime';
import { emulatedRouter } from './support/emulated-engines.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const REPO = path.resolve(new URL('..', import.meta.url).pathname);
const MEDIA = path.join(REPO, 'test/fixtures/media');
const PROVIDERS: EmulatedProvider[] = ['anthropic', 'openai', 'cohere'];
const ENGINE = { anthropic: 'claude', openai: 'openai', cohere: 'cohere' } as const;
const API_KEY = 'sk-e2e-content-never-printed-0123456789';


describe('request content end to end (emulated Claude, OpenAI, Cohere)', () => {
  const emulators = {} as Record<EmulatedProvider, Emulator>;
  let dir: string;
  let inspect: LoadedSkill;

  beforeAll(async () => {
    for (const p of PROVIDERS) emulators[p] = await startEmulator({ provider: p });
    dir = mkdtempSync(path.join(tmpdir(), 'sdl-content-e2e-'));
    copyFileSync(path.join(REPO, 'skills/inspect-delivery.skill.yaml'), path.join(dir, 'inspect-delivery.skill.yaml'));
    inspect = await loadSkillFile(path.join(dir, 'inspect-delivery.skill.yaml'), { projectRoot: dir });
  });
  afterAll(async () => {
    await Promise.all(PROVIDERS.map((p) => emulators[p].close()));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const p of PROVIDERS) emulators[p].requests.length = 0;
  });

  function setup(models: Record<EmulatedProvider, string>, only: EmulatedProvider[] = PROVIDERS) {
    const router = emulatedRouter({ emulators, engines: ENGINE, models, apiKey: API_KEY, only });
    const orders: string[] = [];
    const runtime = createRuntime({
      router,
      describeModel: findModel,
      state: new MemoryStore(),
      mediaRoot: MEDIA,
      tools: {
        lookup_order: {
          description: 'Look up an order by id.',
          parameters: { type: 'object', required: ['order_id'], properties: { order_id: { type: 'string' } } },
          execute: async (args) => {
            orders.push(String(args.order_id));
            return { order_id: String(args.order_id), status: 'shipped' };
          },
        },
      },
    });
    return { registry: router.registry, runtime, orders };
  }

  const MODELS = { anthropic: 'claude-sonnet-5', openai: 'gpt-5.4', cohere: 'command-a-plus-05-2026' };
  const pdfBytes = readFileSync(path.join(MEDIA, 'contract.pdf')).length;
  const pngBytes = readFileSync(path.join(MEDIA, 'pixel.png')).length;

  it.each([
    ['claude', 'anthropic'],
    ['openai', 'openai'],
  ] as const)('runs the image + PDF skill on %s, the files read from the media directory', async (engine, provider) => {
    const { runtime } = setup(MODELS);
    const result = await runtime.run(inspect, { photo: 'pixel.png', contract: 'contract.pdf', notes: 'two boxes' }, { engine });
    expect(result.engines).toEqual([engine]);
    expect(result.output).toMatchObject({ conforms: true });
    const parsed = emulators[provider].requests.at(-1)!.parsed!;
    // The few-shot pair comes first, then the user turn with the contract and the photo, intact.
    expect(parsed.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(parsed.messages[0]!.text).toMatch(/^Photo: 3 pallets/);
    expect(parsed.messages[2]!.text).toBe('Does this delivery conform to the contract? Delivery note: two boxes\n');
    expect(parsed.messages[2]!.attachments!.map((a) => [a.type, a.mediaType, a.via, a.bytes])).toEqual([
      ['document', 'application/pdf', 'base64', pdfBytes],
      ['image', 'image/png', 'base64', pngBytes],
    ]);
    const body = emulators[provider].requests.at(-1)!.body as Record<string, unknown>;
    if (provider === 'anthropic') {
      expect(body.system).toEqual([expect.objectContaining({ cache_control: { type: 'ephemeral' } })]);
      expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
      const blocks = (body.messages as Array<{ content: Array<Record<string, unknown>> }>)[2]!.content;
      expect(blocks[0]).toMatchObject({ type: 'document', title: 'Contract', cache_control: { type: 'ephemeral' } });
    } else {
      expect(body.reasoning_effort).toBe('medium');
    }
  });

  it('refuses the skill at load on Cohere, naming the missing features and the step', async () => {
    const { runtime } = setup(MODELS, ['cohere']);
    const failure = await runtime.run(inspect, { photo: 'pixel.png', contract: 'contract.pdf' }).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toMatch(/cannot load skill `inspect-delivery`/);
    for (const feature of ['vision', 'pdf', 'reasoning']) {
      expect(message).toContain(`model \`command-a-plus-05-2026\` lacks feature \`${feature}\` needed by step \`inspect\` (${path.join(dir, 'inspect-delivery.skill.yaml')}:28:5)`);
    }
    expect(emulators.cohere.requests).toHaveLength(0);
  });

  it('refuses a file path that escapes the media directory, before any call', async () => {
    const { runtime } = setup(MODELS);
    const failure = await runtime.run(inspect, { photo: '../../package.json', contract: 'contract.pdf' }).catch((e: Error) => e);
    expect((failure as Error).message).toMatch(/step `inspect`: image `inputs.photo` has an unknown extension/);
    const escape = await runtime.run(inspect, { photo: '../../skills/../test/fixtures/media/../../../x.png', contract: 'contract.pdf' }).catch((e: Error) => e);
    expect((escape as Error).message).toMatch(/step `inspect`: image `inputs.photo` (does not exist in|is outside) the media directory/);
    expect(emulators.anthropic.requests).toHaveLength(0);
  });
});
