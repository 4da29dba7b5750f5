import { describe, expect, it } from 'vitest';
import { checkBytes, checkText, decodeSkillBytes, parseSkill, rangeOfPath, SourceFile } from '@sdl/compiler';
import { BASE, brief, span } from './helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('columns stay exact with CRLF, CJK, emoji and a BOM', () => {
  // The same mistake (`descripton`) after differently encoded text: the column is always code points.
  it.each([
    ['LF', BASE.replace('description:', 'descripton:'), [4, 1, 4, 11]],
    ['CRLF', BASE.replace('description:', 'descripton:').replace(/\n/g, '\r\n'), [4, 1, 4, 11]],
  ])('%s line ends', (_, text, range) => {
    const ds = checkText(text).diagnostics;
    expect(brief(ds)).toEqual([`SDL2001@${range.join(':')}`]);
  });

  it.each([
    ['CJK', '说明文字', 5],
    ['emoji (astral, two UTF-16 units each)', '📄📄', 3],
    ['combining accent', 'é', 2],
  ])('a value after %s text', (_, prefix, length) => {
    const text = BASE.replace('description: Answer a question.', `description: ${prefix} AKIAIOSFODNN7EXAMPLE`);
    const d = checkText(text).diagnostics.find((x) => x.code === 'SDL3011')!;
    expect(span(d)).toEqual([4, 14 + length, 4, 14 + length + 20]);
  });

  it('a BOM is removed before positions are counted, with a warning', () => {
    const result = checkBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...enc(BASE.replace('sdl: "1.0"', 'sdl: "9"'))]), 'b.skill.yaml');
    expect(brief(result.diagnostics)).toEqual(['SDL1002@1:1:1:1', 'SDL2005@1:6:1:9']);
  });

  it('invalid UTF-8 after CJK text is located in code points', () => {
    const bytes = new Uint8Array([...enc('sdl: "1.0"\r\ndescription: 日本'), 0xc3, 0x28, ...enc('\n')]);
    const { source, diagnostics } = decodeSkillBytes(bytes, 'x.skill.yaml');
    expect(source).toBeUndefined();
    expect(brief(diagnostics)).toEqual(['SDL1001@2:16:2:17']);
  });

  it('a truncated multi-byte sequence at the end of the file is invalid UTF-8', () => {
    const { diagnostics } = decodeSkillBytes(new Uint8Array([...enc('a: '), 0xe6, 0x97]), 'x.skill.yaml');
    expect(brief(diagnostics)).toEqual(['SDL1001@1:4:1:5']);
  });
});

describe('rangeOfPath', () => {
  const parsed = parseSkill(new SourceFile('r.skill.yaml', `${BASE}\npolicies:\n  retry: { base_ms: 10 }\n`));

  it.each([
    [['steps', 0, 'id'], 'value', [6, 9, 6, 15]],
    [['steps', 0, 'id'], 'key', [6, 5, 6, 7]],
    [['steps', 0], 'head', [6, 5, 6, 15]],
    [['steps', 0, 'prompt'], 'head', [7, 5, 7, 11]],
    [['policies', 'retry', 'base_ms'], 'value', [10, 21, 10, 23]],
    [['policies', 'retry'], 'value', [10, 10, 10, 25]],
    [['policies', 'retry', 'max_ms'], 'value', [10, 3, 10, 8]],
    [[], 'head', [1, 1, 1, 11]],
  ] as const)('%j (%s)', (path, target, range) => {
    expect(span({ range: rangeOfPath(parsed, path, target) } as never)).toEqual(range);
  });
});

describe('parse stage', () => {
  it('stops later stages after a syntax error (no cascade)', () => {
    const ds = checkText(BASE.replace('  - id: answer', '  - id: [answer')).diagnostics;
    expect(ds.every((d) => d.code.startsWith('SDL1'))).toBe(true);
    expect(ds.length).toBeGreaterThan(0);
  });

  it('keeps checking a file whose only problem is a duplicate key', () => {
    const ds = checkText(`${BASE}\nversion: 2\n`).diagnostics;
    expect(brief(ds)).toEqual(['SDL1004@9:1:9:8', 'SDL2003@9:10:9:11']);
  });

  it('accepts anchors and aliases within the bound', () => {
    const text = `${BASE}\n    params: &p { temperature: 0.2 }\n  - id: again\n    prompt: { user: again }\n    params: *p\n`;
    const result = checkText(text);
    expect(result.diagnostics).toEqual([]);
    expect((result.skill!.steps as { params: unknown }[])[1]!.params).toEqual({ temperature: 0.2 });
  });
});

describe('front-end stages', () => {
  it('runs extra stages after the default ones and sorts their diagnostics in', async () => {
    const { DEFAULT_STAGES, makeDiagnostic } = await import('@sdl/compiler');
    const extra = (parsed: ReturnType<typeof parseSkill>) => [makeDiagnostic('SDL3001', parsed.source.path, rangeOfPath(parsed, ['steps', 0, 'id']), 'from an extra stage')];
    const ds = checkText(BASE.replace('version: 1.0.0', 'version: x'), 'e.skill.yaml', { stages: [...DEFAULT_STAGES, extra] }).diagnostics;
    expect(brief(ds)).toEqual(['SDL3005@3:10:3:11', 'SDL3001@6:9:6:15']);
  });

  it('an unclosed quote points at the opening quote, not the end of the file', () => {
    const ds = checkText(BASE.replace('description: Answer a question.', 'description: "Answer a question.')).diagnostics;
    expect(brief(ds)).toEqual(['SDL1003@4:14:4:33']);
  });
});
