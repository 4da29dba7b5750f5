import { describe, expect, it } from 'vitest';
import { parseConfig } from '@sdl/adapters';
import { checkText, type Diagnostic, SourceFile } from '@sdl/compiler';
import { formatDiagnostic, formatHumanReport } from '../src/report/human.js';
import { maskedSecret, maskLine } from '../src/report/mask.js';

const ANTHROPIC = 'sk-ant-api03-Zq8vN2kLx7Rt5Wm9Pb4Hc6Jd1Fg3Ks0Yu';
const OPENAI = 'sk-proj-Abcdefghijklmnopqrstuvwx123456';
const PASSWORD = 'hunter2-correct-horse';

const SKILL = (line: string) => `sdl: "1.0"\nname: demo\nversion: 1.0.0\ndescription: Demo.\nsteps:\n  - id: a\n    prompt:\n      user: hi\n${line}\n`;

interface Row {
  code: string;
  why: string;
  file: string;
  text: string;
  secret: string;
  diagnostics: (text: string, file: string) => Diagnostic[];
}

const skill = (text: string, file: string) => checkText(text, file).diagnostics;
const config = (text: string, file: string) => parseConfig(text, file, { env: {} }).diagnostics;

// Every diagnostic whose excerpt would show a secret, and what it must show instead.
const ROWS: Row[] = [
  { code: 'SDL3011', why: 'Anthropic key in a prompt', file: 'a.skill.yaml', text: SKILL(`tests:\n  - name: t\n    input: { q: "key ${ANTHROPIC}" }`), secret: ANTHROPIC, diagnostics: skill },
  { code: 'SDL3011', why: 'OpenAI key as a plain value', file: 'b.skill.yaml', text: SKILL(`x: ${OPENAI}`), secret: OPENAI, diagnostics: skill },
  { code: 'SDL3012', why: 'a password in a secret field', file: 'c.skill.yaml', text: SKILL(`x:\n  password: ${PASSWORD}`), secret: PASSWORD, diagnostics: skill },
  { code: 'SDL3905', why: 'a key written in sdl.config.yaml', file: 'sdl.config.yaml', text: `engines:\n  a: { provider: anthropic, model: claude-sonnet-5, api_key: ${ANTHROPIC} }\n`, secret: ANTHROPIC, diagnostics: config },
];

describe('secrets in diagnostic excerpts', () => {
  it.each(ROWS)('$code ($why): the excerpt shows a prefix and the length, never the secret', ({ code, file, text, secret, diagnostics }) => {
    const ds = diagnostics(text, file);
    const d = ds.find((x) => x.code === code);
    expect(d, JSON.stringify(ds.map((x) => x.code))).toBeDefined();
    const sources = new Map([[file, new SourceFile(file, text)]]);
    const shown = formatHumanReport(ds, 1, { sources });
    expect(shown).not.toContain(secret);
    // Not even a long piece of it.
    expect(shown).not.toContain(secret.slice(4, 16));
    expect(formatDiagnostic(d!, { sources })).toContain(`…(${[...secret].length} chars)`);
  });

  it('underlines the mask where the range was', () => {
    const text = `description: "use ${OPENAI} now"`;
    const d: Diagnostic = { code: 'SDL3011', severity: 'error', message: 'm', file: 'f', range: { start: { line: 1, column: 19 }, end: { line: 1, column: 19 + OPENAI.length } } };
    const masked = maskLine(text, 1, d);
    expect(masked.text).toBe(`description: "use ${maskedSecret(OPENAI)} now"`);
    expect(maskedSecret(OPENAI)).toBe(`sk-p…(${OPENAI.length} chars)`);
    const lines = formatDiagnostic(d, { sources: new Map([['f', new SourceFile('f', text)]]) }).split('\n');
    expect(lines[2]).toBe(`   | ${' '.repeat(18)}${'^'.repeat(maskedSecret(OPENAI).length)}`);
  });

  it('masks a key on the line of another diagnostic too', () => {
    const text = `x: ${OPENAI}`;
    const d: Diagnostic = { code: 'SDL2001', severity: 'error', message: 'unknown key', file: 'f', range: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } } };
    expect(formatDiagnostic(d, { sources: new Map([['f', new SourceFile('f', text)]]) })).not.toContain(OPENAI);
  });

  it('leaves lines without secrets as they are', () => {
    const d: Diagnostic = { code: 'SDL2001', severity: 'error', message: 'm', file: 'f', range: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } } };
    expect(maskLine('description: a plain 日本 line', 1, d)).toMatchObject({ text: 'description: a plain 日本 line' });
  });
});
