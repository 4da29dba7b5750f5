import { describe, expect, it } from 'vitest';
import { checkBytes, DIAGNOSTIC_CODES, type Diagnostic, parseSkill, rangeOfPath, SourceFile } from '@sdl/compiler';
import { mapSchemaErrors } from '../../src/schema/map-errors.js';
import { CASES } from './code-cases.js';
import { BASE, brief, span, withLines } from './helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);

// SDL2099 (fallback for schema keywords without a dedicated message) and SDL3021 (cross-file) are tested below.
// SDL3050 needs the host's sdl.config.yaml (skillc check/test): its exact ranges are in packages/cli/test/config-engines.test.ts.
// SDL3051 needs MCP servers and sdl.lock pins (skillc check): its exact ranges are in packages/cli/test/mcp-pins.test.ts.
const FRONT_END_CODES = Object.keys(DIAGNOSTIC_CODES).filter((c) => /^SDL[123]/.test(c) && !['SDL2099', 'SDL3021', 'SDL3050', 'SDL3051'].includes(c));

function run(input: string | Uint8Array): Diagnostic[] {
  return checkBytes(typeof input === 'string' ? enc(input) : input, 'demo.skill.yaml').diagnostics;
}

describe('every front-end diagnostic code, at its exact range', () => {
  it('has a case for each registered SDL1xxx-SDL3xxx code', () => {
    expect(CASES.map((c) => c.code).sort()).toEqual(expect.arrayContaining(FRONT_END_CODES));
  });

  it.each(CASES)('$code: $why', ({ code, input, range, message, hint }) => {
    const diagnostics = run(input);
    const found = diagnostics.filter((d) => d.code === code);
    expect(found, `got ${brief(diagnostics).join(', ')}`).toHaveLength(1);
    const d = found[0]!;
    expect(span(d)).toEqual(range);
    expect(d.severity).toBe(DIAGNOSTIC_CODES[code as keyof typeof DIAGNOSTIC_CODES].severity);
    expect(d.file).toBe('demo.skill.yaml');
    if (message) expect(d.message).toMatch(message);
    if (hint) expect(d.hint).toMatch(hint);
  });

  it('SDL2099: a schema keyword without a dedicated message still points at the value', () => {
    const parsed = parseSkill(new SourceFile('demo.skill.yaml', withLines('engines:', '  params: { max_tokens: 10 }')));
    const error = { instancePath: '/engines/params/max_tokens', schemaPath: '#/x/multipleOf', keyword: 'multipleOf', params: { multipleOf: 3 }, message: 'must be multiple of 3' };
    const [d, ...rest] = mapSchemaErrors([error], parsed.value, 'demo.skill.yaml', (path, target) => rangeOfPath(parsed, path, target));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'SDL2099', message: '`engines.params.max_tokens` must be multiple of 3' });
    expect(span(d!)).toEqual([10, 25, 10, 27]);
  });

  it('merges several missing keys of one mapping into one diagnostic', () => {
    const diagnostics = run(withLines('policies:', '  redact: [{ label: x }]'));
    expect(brief(diagnostics)).toEqual(['SDL2002@10:12:10:24', 'SDL2001@10:14:10:19']);
    expect(diagnostics[0]!.message).toBe('`policies.redact[0]` is missing the required keys `name` and `pattern`');
  });

  it('the base skill has no diagnostics', () => {
    expect(run(BASE)).toEqual([]);
  });
});
