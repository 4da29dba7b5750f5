import { describe, expect, it } from 'vitest';
import { project, skillc } from './helpers.js';

/** A skill with a model step, used by the composed skill below. */
const SUMMARIZE = `sdl: "1.0"
name: summarize
version: 1.0.0
description: Summarize a text in one sentence.
inputs: { type: object, required: [text], properties: { text: { type: string } } }
steps:
  - id: gist
    prompt: { user: "One sentence: {{ inputs.text }}" }
return: steps.gist.output
`;

/** Composes summarize twice (steps \`short\` and \`again\`) and prompts once itself; its test's replies keys start on line 22. */
const composed = (replies: string[]) => `sdl: "1.0"
name: headline
version: 1.0.0
description: A headline from a summary of a summary.
inputs: { type: object, required: [text], properties: { text: { type: string } } }
uses:
  summarize: { skill: ./summarize.skill.yaml, version: ^1.0.0 }
steps:
  - id: short
    use: summarize
    with: { text: inputs.text }
  - id: again
    use: summarize
    with: { text: steps.short.output }
  - id: gist
    prompt: { user: "A headline for: {{ steps.again.output }}" }
return: "{'headline': steps.gist.output, 'summary': steps.short.output, 'again': steps.again.output}"
tests:
  - name: nested steps scripted by path
    input: { text: 会議は来週の月曜日に延期されました。 }
    replies:
${replies.map((r) => `      ${r}`).join('\n')}
    expect:
      output.summary: { equals: 会議は延期。 }
      output.again: { equals: 延期。 }
      output.headline: { equals: 会議延期 }
`;

describe('skillc test: replies for steps inside used skills', () => {
  it('scripts the same nested step separately under each use step, and the top-level step of the same id by its plain key', async () => {
    const cwd = project({ 'summarize.skill.yaml': SUMMARIZE, 'headline.skill.yaml': composed(['short.gist: 会議は延期。', '"again.gist": 延期。', 'gist: 会議延期']) });
    const { code, out, err } = await skillc(['test', 'headline.skill.yaml'], cwd);
    expect(err).toBe('');
    expect(out).toContain('  ✓ headline › nested steps scripted by path\n');
    expect(out.endsWith('\n1 passed, 0 failed\n')).toBe(true);
    expect(code).toBe(0);
  });

  it('a nested step without a reply fails the test naming its path', async () => {
    const cwd = project({ 'summarize.skill.yaml': SUMMARIZE, 'headline.skill.yaml': composed(['short.gist: 会議は延期。', 'gist: 会議延期']) });
    const { code, out } = await skillc(['test', 'headline.skill.yaml'], cwd);
    expect(code).toBe(1);
    // Plain `gist` is the fallback for a nested `gist` without a path entry, so `again.gist` gets the top-level reply.
    expect(out).toContain('expect output.again: expected "延期。"');
    expect(out.endsWith('\n0 passed, 1 failed\n')).toBe(true);
  });

  it('a dotted key that does not resolve fails its test at the segment, before any model call', async () => {
    const cwd = project({ 'summarize.skill.yaml': SUMMARIZE, 'headline.skill.yaml': composed(['short.gsit: 会議は延期。', 'gist: 会議延期']) });
    const { code, out } = await skillc(['test', 'headline.skill.yaml'], cwd);
    expect(code).toBe(1);
    expect(out).toContain(
      'headline.skill.yaml:22:13: `replies` key `short.gsit` names step `gsit` of skill `summarize` (run by `short`), which does not exist (did you mean `gist`?)',
    );
    expect(out).not.toContain('expect output');
    expect(out.endsWith('\n0 passed, 1 failed\n')).toBe(true);
  });
});
