import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { type CliIO, main } from '@sdl/cli';
import { project, readIr } from './helpers.js';

function skillText(name: string, uses: string[] = []): string {
  const lines = ['sdl: "1.0"', `name: ${name}`, 'version: 1.0.0', `description: The ${name} skill.`, 'inputs: { type: object, properties: { text: { type: string } } }'];
  if (uses.length > 0) lines.push('uses:', ...uses.map((u) => `  ${u}: { skill: ./${u}.skill.yaml }`));
  lines.push('steps:');
  if (uses.length === 0) lines.push('  - id: only', '    prompt: { user: "{{ inputs.text }}" }');
  for (const u of uses) lines.push(`  - id: call_${u}`, `    use: ${u}`, '    with: { text: inputs.text }');
  return `${lines.join('\n')}\n`;
}

// Bounded waits only: each condition is polled for at most 10 s (a rebuild takes milliseconds).
const until = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 20 });

describe('skillc compile --watch', () => {
  it('recompiles only the roots a change affects, prints diagnostics as they appear, stops on abort', async () => {
    const root = project({
      'package.json': '{}',
      'skills/leaf.skill.yaml': skillText('leaf'),
      'skills/mid.skill.yaml': skillText('mid', ['leaf']),
      'skills/other.skill.yaml': skillText('other'),
    });
    let out = '';
    let err = '';
    const controller = new AbortController();
    const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: root, env: {}, signal: controller.signal };
    const running = main(['compile', 'skills', '--out', 'dist', '--watch'], io);
    await until(() => expect(out).toContain('watching for changes'));
    expect(out).toContain('compiled 3 skills to dist');
    const otherMtime = statSync(join(root, 'dist/other.skill.json')).mtimeMs;

    const leaf = join(root, 'skills/leaf.skill.yaml');
    writeFileSync(leaf, readFileSync(leaf, 'utf8').replace('The leaf skill.', 'A changed leaf.'));
    await until(() => expect(out).toContain('recompiled 2 of 3 skills: leaf.skill.json, mid.skill.json\n'));
    expect(readIr(join(root, 'dist/mid.skill.json')).skills['skills/leaf.skill.yaml'].description).toBe('A changed leaf.');
    expect(statSync(join(root, 'dist/other.skill.json')).mtimeMs).toBe(otherMtime);

    writeFileSync(leaf, readFileSync(leaf, 'utf8').replace('{{ inputs.text }}', '{{ inputs.txet }}'));
    await until(() => expect(err).toContain('skills/leaf.skill.yaml:8:32: error SDL4102'));
    expect(err).toContain('did you mean `text`?');

    writeFileSync(leaf, readFileSync(leaf, 'utf8').replace('{{ inputs.txet }}', '{{ inputs.text }}'));
    await until(() => expect(out.split('recompiled').length).toBe(3));

    controller.abort();
    expect(await running).toBe(0);
  });
});
