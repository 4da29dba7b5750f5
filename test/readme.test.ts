import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator, type EmulatorReply, type EmulatorRequest } from '@sdl/adapters';
import { main, type CliIO } from '@sdl/cli';
import { createTranslator } from '../demo/embed-example.js';

// The README's code blocks marked `<!-- tested: ... -->` are run here, so the tour stays true.
const root = fileURLToPath(new URL('..', import.meta.url));
const readme = await readFile(join(root, 'README.md'), 'utf8');

/** The fenced block right after `<!-- tested: <name> ... -->`. */
function testedBlock(name: string): string {
  const match = new RegExp(`<!-- tested: ${name}\\b[^>]*-->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\`\\n`).exec(readme);
  if (match === null) throw new Error(`README.md has no fenced block marked <!-- tested: ${name} -->`);
  return match[1]!;
}

function io(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out = { stdout: '', stderr: '' };
  const cli: CliIO = {
    stdout: { write: (s: string) => void (out.stdout += s) },
    stderr: { write: (s: string) => void (out.stderr += s) },
    cwd,
    env,
  };
  return { cli, out };
}

const KEY = 'sk-ant-readme-test-0123456789abcdef';

function configFor(emulator: Emulator): string {
  // Every engine the skills prefer (a name the config lacks is refused at load); only claude is reached.
  return `engines:\n  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "\${env:ANTHROPIC_API_KEY}", base_url: "${emulator.url}" }\n  openai: { provider: openai, model: gpt-5.4, api_key: "\${env:OPENAI_API_KEY:-unused}", base_url: "http://127.0.0.1:9/v1" }\n  cohere: { provider: cohere, model: command-a-plus-05-2026, api_key: "\${env:COHERE_API_KEY:-unused}", base_url: "http://127.0.0.1:9" }\ndefault_engine: claude\n`;
}

describe('README', () => {
  let dir: string;
  let emulator: Emulator;
  const requests: EmulatorRequest[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sdl-readme-'));
    emulator = await startEmulator({
      provider: 'anthropic',
      reply: (request): EmulatorReply => {
        requests.push(request);
        // translate-with-glossary: ask the glossary first, then answer with the approved term.
        if (/professional translator/.test(request.system ?? '')) {
          const last = request.messages.at(-1);
          if (last?.role !== 'tool') return { toolCalls: [{ name: 'lookup_term', arguments: { term: 'Express Checkout', target_language: 'ja' } }] };
          const approved = String(JSON.parse(last.text).approved);
          return { json: { translation: `${approved}でお支払いいただけます。`, glossary_terms: ['Express Checkout'] } };
        }
        return { json: { sentiment: 'mixed', topics: ['zip'], answer: 'Thank you. We will look at the zip.' } };
      },
    });
  });
  afterAll(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('names exactly the two set-up commands, each with its duration on a 2-core machine', () => {
    const setup = /## Two commands[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1]!.trim().split('\n');
    expect(setup.map((line) => line.split('#')[0]!.trim())).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
    for (const line of setup) expect(line).toMatch(/~\d[\d–]* (s|min) on a 2-core machine/);
  });

  it('the embedding sample is demo/embed-example.ts, verbatim', async () => {
    expect(testedBlock('embed')).toBe(await readFile(join(root, 'demo/embed-example.ts'), 'utf8'));
  });

  it('the tour skill checks, passes its tests, compiles and runs with skillc run', async () => {
    const skills = join(dir, 'my-skills');
    await mkdir(skills, { recursive: true });
    await writeFile(join(skills, 'review-sentiment.skill.yaml'), testedBlock('skill'));
    await writeFile(join(dir, 'package.json'), '{ "private": true }\n'); // the project root

    const check = io(dir);
    expect(await main(['check', 'my-skills/'], check.cli), check.out.stdout + check.out.stderr).toBe(0);
    const test = io(dir);
    expect(await main(['test', 'my-skills/'], test.cli), test.out.stdout + test.out.stderr).toBe(0);
    expect(test.out.stdout).toContain('1 passed, 0 failed');
    const compile = io(dir);
    expect(await main(['compile', 'my-skills/', '--out', 'build/'], compile.cli), compile.out.stdout + compile.out.stderr).toBe(0);

    await writeFile(join(dir, 'sdl.config.yaml'), configFor(emulator));
    const run = io(dir, { ANTHROPIC_API_KEY: KEY });
    const input = JSON.stringify({ review: 'Warm and light, but the zip jams.' });
    const code = await main(['run', 'build/review-sentiment.skill.json', '--input', input, '--json'], run.cli);
    expect(code, run.out.stderr).toBe(0);
    expect(JSON.parse(run.out.stdout).output).toMatchObject({ sentiment: 'mixed', topics: ['zip'] });
    expect(run.out.stdout + run.out.stderr).not.toContain(KEY);
    expect(requests.at(-1)!.messages.at(-1)!.text).toContain('the zip jams');
  });

  it('the embedding sample runs a skill with its host tool against an emulated engine', async () => {
    const configFile = join(dir, 'embed.config.yaml');
    await writeFile(configFile, configFor(emulator));
    vi.stubEnv('ANTHROPIC_API_KEY', KEY);
    try {
      const translator = await createTranslator({
        configFile,
        skillFile: join(root, 'skills/translate-with-glossary.skill.yaml'),
        stateDir: join(dir, 'state'),
      });
      const result = await translator.translate('Pay in one click with Express Checkout.', 'ja');
      expect(result.output).toEqual({ translation: 'エクスプレスチェックアウトでお支払いいただけます。', glossary_terms: ['Express Checkout'] });
      expect(result.engines).toEqual(['claude']);
      expect(result.trace[0]).toMatchObject({ step: 'translate', toolCalls: 1, status: 'ok' });
      expect(() => translator.useEngine('nonexistent')).toThrow(/no such engine/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
