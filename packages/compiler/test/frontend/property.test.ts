import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBytes, DIAGNOSTIC_CODES, type Diagnostic, ExprCode, SourceFile } from '@sdl/compiler';

const VALID = `sdl: "1.0"
name: support-reply
version: 1.3.0
description: Draft a reply to a support ticket — 日本語も可 📨.
inputs:
  type: object
  required: [ticket]
  properties:
    ticket: { type: string, description: The customer's message. }
    tone: { type: string, enum: [friendly, formal], default: friendly }
    order_id: { type: string }
    parts: { type: array, items: { type: string } }
engines:
  prefer: [claude, openai]
  models: { claude: claude-sonnet-5, openai: gpt-5.4 }
  params: { temperature: 0.3, max_tokens: 900 }
tools:
  get_order:
    description: Fetch an order.
    parameters: { type: object, required: [order_id], properties: { order_id: { type: string } } }
steps:
  - id: order
    tool: get_order
    with: { order_id: inputs.order_id }
  - id: draft
    for_each: inputs.parts
    as: part
    prompt:
      system: You are a support agent.
      user: "{{ inputs.ticket }} {{ part }}"
    tools: [get_order]
    output: { type: object, properties: { reply: { type: string } } }
policies:
  retry: { max_attempts: 4, base_ms: 500, max_ms: 20000 }
  redact: [email, { name: iban, pattern: "[A-Z]{2}[0-9]+" }]
tests:
  - name: late parcel
    input: { ticket: Where is it? }
    replies: { draft: '{"reply": "Soon"}' }
    expect: { output.reply: { equals: Soon } }
`;

const PIECES = [':', ': ', '-', '- ', '\t', '"', "'", '[', ']', '{', '}', '&a ', '*a', '!tag ', '\n', '\r\n', '  ', '#', '|', '>', '---\n', '日本', '😀', '\u0000', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz', 'id: draft', 'prompt:', '? ', ',', '%YAML 1.2\n', '\ufeff'];

/** One edit of the text: insert a piece, delete a span, or duplicate a line. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 4 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('dupline' as const), at: fc.nat() }),
);

type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function apply(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1);
    if (e.kind === 'insert') out = out.slice(0, at) + e.text + out.slice(at);
    else if (e.kind === 'delete') out = out.slice(0, at) + out.slice(at + e.length);
    else {
      const start = out.lastIndexOf('\n', at - 1) + 1;
      const end = out.indexOf('\n', at);
      const line = out.slice(start, end === -1 ? out.length : end + 1);
      out = out.slice(0, start) + line + out.slice(start);
    }
  }
  return out;
}

/** Every range lies inside the decoded text (columns in code points, end exclusive, end ≥ start). */
function assertWellFormed(diagnostics: Diagnostic[], bytes: Uint8Array): void {
  let text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const source = new SourceFile('x', text);
  for (const d of diagnostics) {
    expect(Object.hasOwn(DIAGNOSTIC_CODES, d.code) || (Object.values(ExprCode) as string[]).includes(d.code), d.code).toBe(true);
    expect(d.file).toBe('fuzz.skill.yaml');
    expect(typeof d.message).toBe('string');
    for (const p of [d.range.start, d.range.end]) {
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.line).toBeLessThanOrEqual(source.lineCount);
      expect(p.column).toBeGreaterThanOrEqual(1);
      expect(p.column).toBeLessThanOrEqual([...source.lineText(p.line)].length + 1);
    }
    const { start, end } = d.range;
    expect(end.line > start.line || (end.line === start.line && end.column >= start.column)).toBe(true);
  }
  for (let i = 1; i < diagnostics.length; i++) {
    const a = diagnostics[i - 1]!.range.start;
    const b = diagnostics[i]!.range.start;
    expect(a.line < b.line || (a.line === b.line && a.column <= b.column), 'sorted by position').toBe(true);
  }
}

describe('the front end on mutated and random input', () => {
  it('the unmutated skill is valid', () => {
    expect(checkBytes(new TextEncoder().encode(VALID), 'fuzz.skill.yaml').diagnostics).toEqual([]);
  });

  it('never throws and always gives well-formed, in-range diagnostics for edited skills', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        const bytes = new TextEncoder().encode(apply(VALID, edits));
        assertWellFormed(checkBytes(bytes, 'fuzz.skill.yaml').diagnostics, bytes);
      }),
      { numRuns: 150, seed: 20261121 },
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const result = checkBytes(bytes, 'fuzz.skill.yaml');
        if (!result.diagnostics.some((d) => d.code === 'SDL1001')) assertWellFormed(result.diagnostics, bytes);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('an error never comes with a compiled skill, and a clean file always does', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const result = checkBytes(new TextEncoder().encode(apply(VALID, edits)), 'fuzz.skill.yaml');
        const hasError = result.diagnostics.some((d) => d.severity === 'error');
        expect(result.skill === undefined).toBe(hasError);
      }),
      { numRuns: 100, seed: 42 },
    );
  });
});
