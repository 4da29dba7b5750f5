import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { project, skillc } from './helpers.js';

const spec = readFileSync(new URL('../../../spec/sdl-1.md', import.meta.url), 'utf8');
const classify = readFileSync(new URL('../../../skills/classify-ticket.skill.yaml', import.meta.url), 'utf8');

/** The yaml block right after a `<!-- tested: packages/cli/test/spec-examples.test.ts ... -->` marker. */
function testedBlock(): string {
  const marker = spec.indexOf('<!-- tested: packages/cli/test/spec-examples.test.ts');
  expect(marker, 'spec/sdl-1.md has the tested marker').toBeGreaterThan(-1);
  const start = spec.indexOf('```yaml\n', marker) + '```yaml\n'.length;
  return spec.slice(start, spec.indexOf('```\n', start));
}

describe('spec/sdl-1.md', () => {
  it('the step-path example (its last example) checks and passes its test as written', async () => {
    const cwd = project({ 'package.json': '{}', 'reply.skill.yaml': testedBlock(), 'classify-ticket.skill.yaml': classify });
    expect(await skillc(['check', 'reply.skill.yaml'], cwd)).toMatchObject({ code: 0, out: 'no problems in 2 files\n' });
    const tested = await skillc(['test', 'reply.skill.yaml'], cwd);
    expect(tested.out).toContain('✓ route-and-reply › refund question');
    expect(tested.out).toContain('1 passed, 0 failed\n');
    expect(tested.code).toBe(0);
  });
});
