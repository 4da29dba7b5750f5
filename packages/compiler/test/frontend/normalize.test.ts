import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkText, normalizeSkill } from '@sdl/compiler';

const SKILL = `sdl: "1.0"
name: n
version: 1.0.0
description: Defaults.
inputs:
  type: object
  properties:
    text: { type: string }
policies:
  retry: { max_attempts: 5 }
steps:
  - id: s
    prompt:
      user: "{{ inputs.text }}"
`;

const valueOf = (text: string) => checkText(text, 'n.skill.yaml', { stages: [] }).parsed!.value as Record<string, any>;
const skillsDir = new URL('../../../../skills/', import.meta.url);

describe('normalizeSkill', () => {
  it('fills defaults beneath a given mapping, after its own keys, and leaves the input as it was', () => {
    const input = valueOf(SKILL);
    const before = structuredClone(input);
    const out = normalizeSkill(input) as Record<string, any>;
    expect(input).toEqual(before);
    expect(Object.keys(out.policies.retry)).toEqual(['max_attempts', 'base_ms', 'max_ms', 'jitter']);
    expect(out.policies.retry.max_attempts).toBe(5);
    // Only the path to the default is copied; what gains nothing is the input's own value.
    expect(out).not.toBe(input);
    expect(out.policies).not.toBe(input.policies);
    expect(out.inputs).toBe(input.inputs);
  });

  it.each(readdirSync(skillsDir).filter((f) => f.endsWith('.skill.yaml')))('never modifies the parsed value of skills/%s', (file) => {
    const input = valueOf(readFileSync(new URL(file, skillsDir), 'utf8'));
    const before = JSON.stringify(input);
    const out = normalizeSkill(input);
    expect(JSON.stringify(input)).toBe(before);
    // Normalizing again changes nothing: every default is already there.
    expect(normalizeSkill(out)).toEqual(out);
  });
});
