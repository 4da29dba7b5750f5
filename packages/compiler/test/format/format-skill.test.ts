import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatSkill, TOP_LEVEL_KEY_ORDER } from '@sdl/compiler';

const skillsDir = fileURLToPath(new URL('../../../../skills/', import.meta.url));

describe('formatSkill', () => {
  it('orders top-level, step, prompt and test keys canonically and keeps every comment', () => {
    const input = [
      '# yaml-language-server: $schema=../packages/compiler/schemas/sdl.schema.json',
      'steps:',
      '    # the only step',
      '    - prompt:',
      '          user: "{{ inputs.text }}"   # what the model sees',
      '          system: Be brief.',
      '      id: reply',
      'name: demo',
      'tests:',
      '  - expect: { output: { type: string } }',
      '    name: smoke',
      '    input: {text: hi}',
      "description: 'Reply briefly.'",
      "sdl: '1.0'",
      'version: 1.0.0',
      '# the end',
      '',
    ].join('\n');
    const { text, changed, diagnostics } = formatSkill(input);
    expect(diagnostics).toEqual([]);
    expect(changed).toBe(true);
    expect(text).toBe(
      [
        '# yaml-language-server: $schema=../packages/compiler/schemas/sdl.schema.json',
        'sdl: "1.0"',
        'name: demo',
        'version: 1.0.0',
        'description: Reply briefly.',
        '',
        'steps:',
        '  # the only step',
        '  - id: reply',
        '    prompt:',
        '      system: Be brief.',
        '      user: "{{ inputs.text }}" # what the model sees',
        '',
        'tests:',
        '  - name: smoke',
        '    input: { text: hi }',
        '    expect: { output: { type: string } }',
        '',
        '# the end',
        '',
      ].join('\n'),
    );
  });

  it('keeps block scalars, flow lists as [a, b] and YAML 1.1 look-alikes quoted', () => {
    const input = [
      'sdl: "1.0"',
      'tags: [ a, b ]',
      'when: "2026-11-16"',
      'flag: "yes"',
      'zero: "0755"',
      'code: "plain text"',
      'system: |',
      '  Line one.',
      '',
      '  Line three, after a blank line.',
      'folded: >',
      '  folded',
      '  text',
      '',
    ].join('\n');
    const { text } = formatSkill(input);
    expect(text).toContain('tags: [a, b]\n');
    expect(text).toContain('when: "2026-11-16"\n');
    expect(text).toContain('flag: "yes"\n');
    expect(text).toContain('zero: "0755"\n');
    expect(text).toContain('code: plain text\n');
    expect(text).toContain('system: |\n  Line one.\n\n  Line three, after a blank line.\n');
    // Folded scalars keep their style; yaml re-wraps their lines (the value is unchanged).
    expect(text).toContain('folded: >\n  folded text\n');
    expect(parse(text)).toEqual(parse(input));
  });

  it('keeps control characters escaped in double quotes', () => {
    const { text } = formatSkill('a: "tab\\there"\nb: "bell\\a"\n');
    expect(text).toBe('a: "tab\\there"\nb: "bell\\a"\n');
  });

  it('returns the text unchanged with located diagnostics when the YAML is broken', () => {
    const input = 'sdl: "1.0"\nname: [unclosed\n';
    const result = formatSkill(input, 'broken.skill.yaml');
    expect(result.changed).toBe(false);
    expect(result.text).toBe(input);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics[0]).toMatchObject({ file: 'broken.skill.yaml', severity: 'error' });
    expect(result.diagnostics[0]!.code).toMatch(/^SDL1/);
  });

  it('refuses duplicate keys instead of dropping one', () => {
    const result = formatSkill('name: a\nname: b\n');
    expect(result.changed).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toContain('SDL1004');
  });

  it('converts CRLF to LF', () => {
    const { text, changed } = formatSkill('sdl: "1.0"\r\nname: demo\r\n');
    expect(text).toBe('sdl: "1.0"\nname: demo\n');
    expect(changed).toBe(true);
  });

  it.each(readdirSync(skillsDir).filter((f) => f.endsWith('.skill.yaml')))('is idempotent and data-preserving on skills/%s', (file) => {
    const input = readFileSync(`${skillsDir}${file}`, 'utf8');
    const once = formatSkill(input, file);
    expect(once.diagnostics).toEqual([]);
    expect(formatSkill(once.text, file).text).toBe(once.text);
    expect(parse(once.text)).toEqual(parse(input));
    const comments = (t: string) => t.split('\n').filter((l) => /^\s*#/.test(l)).map((l) => l.trim());
    expect(comments(once.text)).toEqual(comments(input));
  });
});

// Random skill-like documents: canonical keys in any order, scalars that need quoting and some
// that do not, nested flow and block collections, comments, block scalars.
const word = fc.stringMatching(/^[a-z][a-z_]{0,8}$/);
const scalarText = fc.oneof(
  fc.constantFrom('1.0', 'yes', 'no', 'on', 'null', '~', '2026-11-16', '0755', '1_000', '12:30', 'true', '-', '- x', '#x', 'a: b', 'a #b', '@x', '`x`', '"q"', "it's", '{{ inputs.text }}', '[x]', '*x', '&x', '!x', '%x', '', ' lead', 'trail ', '日本語のテキスト', '中文：内容'),
  fc.string({ maxLength: 20 }),
  fc.stringMatching(/^[A-Za-z][A-Za-z .,'-]{0,30}$/),
);
const leaf = fc.oneof(scalarText, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('map'), tie('list')),
  map: fc.dictionary(word, tie('node'), { maxKeys: 4 }),
  list: fc.array(tie('node'), { maxLength: 4 }),
})).node;
const topLevel = fc.uniqueArray(fc.constantFrom(...TOP_LEVEL_KEY_ORDER, 'x_extra', 'notes'), { minLength: 1, maxLength: 8 });

/** Renders a value as YAML text by hand, mixing block and flow styles, quotes and comments. */
function render(v: unknown, indent: string, style: number, inFlow = false): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'string') return style % 3 === 0 ? JSON.stringify(v) : `'${v.replace(/'/g, "''")}'`;
    return JSON.stringify(v);
  }
  const flow = inFlow || style % 2 === 0;
  if (Array.isArray(v)) {
    if (v.length === 0 || flow) return `[${v.map((x) => render(x, indent, style + 1, true)).join(', ')}]`;
    return v.map((x, i) => `\n${indent}- ${render(x, `${indent}  `, style + i).replace(/^\n\s*/, '')}`).join('');
  }
  const entries = Object.entries(v);
  if (entries.length === 0 || flow) return `{${entries.map(([k, x]) => `${k}: ${render(x, indent, style + 1, true)}`).join(', ')}}`;
  return entries.map(([k, x], i) => `\n${indent}${i === 0 && style % 5 === 1 ? `# about ${k}\n${indent}` : ''}${k}: ${render(x, `${indent}  `, style + i)}`).join('');
}

describe('formatSkill properties', () => {
  it('fmt(fmt(x)) == fmt(x) and fmt(x) parses to the same data as x', () => {
    fc.assert(
      fc.property(topLevel, fc.array(value, { minLength: 8, maxLength: 8 }), fc.nat(), (keys, values, style) => {
        const text =
          '# header comment\n' +
          keys
            .map((k, i) => `${k}:${(() => {
              const body = render(values[i], '  ', style + i);
              return body.startsWith('\n') ? body : ` ${body}`;
            })()}${i % 3 === 2 ? ' # trailing' : ''}`)
            .join('\n') +
          '\n';
        const source = parse(text) as unknown;
        const once = formatSkill(text);
        expect(once.diagnostics).toEqual([]);
        expect(parse(once.text)).toEqual(source);
        expect(formatSkill(once.text).text).toBe(once.text);
      }),
      { numRuns: 100, seed: 20261121 },
    );
  });

  it('keeps block scalars byte for byte', () => {
    const line = fc.stringMatching(/^[A-Za-z0-9 {}:#'",.-]{0,40}$/).map((s) => s.trim());
    fc.assert(
      fc.property(line.filter((l) => l !== ''), fc.array(line, { maxLength: 5 }), (first, rest) => {
        const lines = [first, ...rest];
        const body = lines.map((l) => (l === '' ? '' : `        ${l}`)).join('\n');
        const text = `name: demo\nsteps:\n  - id: a\n    prompt:\n      user: |\n${body}\n`;
        const data = parse(text) as unknown;
        const once = formatSkill(text);
        expect(once.text).toContain(`user: |\n${body.replace(/\n+$/, '')}`);
        expect(parse(once.text)).toEqual(data);
        expect(formatSkill(once.text).text).toBe(once.text);
      }),
      { numRuns: 100, seed: 20261121 },
    );
  });
});
