/**
 * Durable runs: `skillc run --run-id` is killed with SIGKILL while step 3 of 5 is at the model;
 * `skillc runs resume` then runs steps 3 to 5 only (the emulator sees each of steps 1, 2, 4, 5
 * once and step 3 twice: the killed call and the resumed one), and the cost counts each step once.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultReply, startEmulator, type Emulator, type EmulatorReply, type EmulatorRequest } from '@sdl/adapters';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skillc } from '../packages/cli/test/helpers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKILLC = path.join(ROOT, 'packages/cli/bin/skillc.js');
const KEY = 'sk-durable-e2e-secret-0123456789abcdef';
const env = { SDL_DURABLE_KEY: KEY };

describe('durable runs', () => {
  let dir: string;
  let emulator: Emulator;
  let onStep3: (() => void) | undefined;
  const prompts: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'packages/cli/dist/bin.js'))) throw new Error('build first (npm run build): the killed run is packages/cli/bin/skillc.js');
    emulator = await startEmulator({
      provider: 'openai',
      reply: (request: EmulatorRequest): EmulatorReply | Promise<EmulatorReply> => {
        const text = request.messages.at(-1)!.text;
        prompts.push(text.split(' after ')[0]!.split(' on ')[0]!);
        if (text.startsWith('step 3') && onStep3 !== undefined) {
          const kill = onStep3;
          onStep3 = undefined;
          kill();
          return new Promise<EmulatorReply>(() => {}); // the process is gone; this reply never comes
        }
        return defaultReply(request);
      },
    });
    dir = mkdtempSync(path.join(tmpdir(), 'sdl-durable-'));
    writeFileSync(path.join(dir, 'five-steps.skill.yaml'), readFileSync(new URL('./durable/five-steps.skill.yaml', import.meta.url)));
    writeFileSync(
      path.join(dir, 'sdl.config.yaml'),
      `engines:\n  emu: { provider: openai, model: gpt-5-mini, api_key: "\${env:SDL_DURABLE_KEY}", base_url: "${emulator.url}" }\nstate: { store: file, path: state }\n`,
    );
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 during step 3 of 5; resume runs steps 3-5 only; the cost counts each step once', async () => {
    const input = JSON.stringify({ topic: 'tides' });
    const child = spawn(process.execPath, [SKILLC, 'run', 'five-steps.skill.yaml', '--input', input, '--run-id', 'tides-1', '--json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    onStep3 = () => child.kill('SIGKILL');
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal, stderr).toBe('SIGKILL');
    expect(prompts).toEqual(['step 1', 'step 2', 'step 3']);

    const shown = await skillc(['runs', 'show', 'tides-1'], dir, env);
    const before = JSON.parse(shown.out) as { status: string; steps: Record<string, unknown> };
    expect(before.status).toBe('running');
    expect(Object.keys(before.steps)).toEqual(['s1', 's2']);

    const resumed = await skillc(['runs', 'resume', 'tides-1', '--json'], dir, env);
    expect(resumed.code, resumed.err).toBe(0);
    // Steps 3, 4 and 5 only went to the model.
    expect(prompts).toEqual(['step 1', 'step 2', 'step 3', 'step 3', 'step 4', 'step 5']);
    const result = JSON.parse(resumed.out) as { output: string; cost: number; usage: { input_tokens: number; output_tokens: number } };
    expect(result.output).toBe('echo: step 5 after echo: step 4 after echo: step 3 after echo: step 2 after echo: step 1 on tides');

    // Each step once: the recorded steps' costs add up to the result's, and to a fresh, uninterrupted run's.
    const after = JSON.parse((await skillc(['runs', 'show', 'tides-1'], dir, env)).out) as {
      status: string; attempts: number; steps: Record<string, { cost: number; usage: { input_tokens: number; output_tokens: number } }>;
    };
    expect(after.status).toBe('succeeded');
    expect(after.attempts).toBe(2);
    expect(Object.keys(after.steps).sort()).toEqual(['s1', 's2', 's3', 's4', 's5']);
    const stepCosts = Object.values(after.steps).reduce((sum, s) => sum + s.cost, 0);
    expect(result.cost).toBeGreaterThan(0);
    expect(result.cost).toBeCloseTo(stepCosts, 12);
    const fresh = await skillc(['run', 'five-steps.skill.yaml', '--input', input, '--json'], dir, env);
    const reference = JSON.parse(fresh.out) as typeof result;
    expect(result.cost).toBeCloseTo(reference.cost, 12);
    expect(result.usage).toEqual(reference.usage);

    // Resuming a finished run returns its result without calling the model.
    const calls = prompts.length;
    const again = await skillc(['runs', 'resume', 'tides-1', '--json'], dir, env);
    expect(JSON.parse(again.out)).toMatchObject({ output: result.output });
    expect(prompts.length).toBe(calls);
    expect((await skillc(['runs', 'list'], dir, env)).out).toMatch(/^tides-1 {2}succeeded {2}five-steps {2}5 steps done/);
  }, 60_000);

  it.each([
    [['runs', 'show', 'nope'], 1, /no run `nope` in the file state store/],
    [['runs', 'frobnicate'], 2, /expected list, show or resume, not `frobnicate`/],
    [['runs', 'resume'], 2, /skillc runs resume needs a run id/],
  ])('%j', async (argv, code, message) => {
    const result = await skillc(argv, dir, env);
    expect(result.code).toBe(code);
    expect(result.err).toMatch(message);
  });
});
