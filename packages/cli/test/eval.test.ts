import { describe, expect, it } from 'vitest';
import { main, type CliIO } from '@sdl/cli';

async function skillc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: process.cwd(), env: {} };
  const code = await main(['eval', ...argv], io);
  return { code, out, err };
}

describe('skillc eval', () => {
  it.each([
    ['1 + 2 * 3', '7'],
    ['"a" + "b"', '"ab"'],
    ['[1, 2.5, 3u, true, null]', '[1,2.5,3,true,null]'],
    ['{"k": b"hi", 1: "one"}', '{"k":"aGk=","1":"one"}'],
    ['9223372036854775807', '9223372036854775807'],
    ['18446744073709551615u', '18446744073709551615'],
    ['type(1.0)', '"double"'],
    ['1.0 / 0.0', '"Infinity"'],
  ])('%s prints %s', async (expr, json) => {
    expect(await skillc(expr)).toEqual({ code: 0, out: `${json}\n`, err: '' });
  });

  it('evaluates with --vars (integral numbers are int, others double)', async () => {
    const r = await skillc('inputs.items.filter(i, i.price > 2.0).map(i, i.name)', '--vars', '{"inputs": {"items": [{"name": "a", "price": 1.5}, {"name": "b", "price": 3}]}}');
    expect(r).toEqual({ code: 0, out: '["b"]\n', err: '' });
    expect((await skillc('type(n) == int && type(d) == double', '--vars', '{"n": 3, "d": 3.5}')).out).toBe('true\n');
  });

  it('prints a type error with line:col, the source line and a hint, exit 1', async () => {
    const r = await skillc('inputs.txt', '--vars', '{"inputs": {"text": "a"}}');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('<expression>:1:8: error SDL4102: unknown field `txt`');
    expect(r.err).toContain('hint: did you mean `text`?');
  });

  it.each([
    ['1 +', 'SDL4002', '1:4'],
    ['"open', 'SDL4001', '1:1'],
    ['1 / 0', 'SDL4203', '1:3'],
    ['9223372036854775807 + 1', 'SDL4202', '1:21'],
    ['nope', 'SDL4101', '1:1'],
    ['1 + 1.0', 'SDL4103', '1:3'],
    ['{"a": 1}.b', 'SDL4201', '1:10'],
  ])('%s fails with %s at %s, exit 1', async (expr, code, at) => {
    const r = await skillc(expr);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`<expression>:${at}: error ${code}:`);
  });

  it('prints diagnostics as JSON with --format json', async () => {
    const r = await skillc('1 +', '--format', 'json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.err).diagnostics[0]).toMatchObject({ code: 'SDL4002', file: '<expression>', range: { start: { line: 1, column: 4 } } });
  });

  it.each([
    [[], 'exactly one expression'],
    [['1', '2'], 'exactly one expression'],
    [['1', '--vars', '{nope'], '--vars is not valid JSON'],
    [['1', '--vars', '[1]'], '--vars must be a JSON object'],
    [['1', '--bogus'], 'Unknown option'],
  ])('usage error %j exits 2', async (argv, message) => {
    const r = await skillc(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('refuses a 10 MB string in --vars with a clean error', async () => {
    const r = await skillc('size(s)', '--vars', JSON.stringify({ s: 'a'.repeat(10 * 1024 * 1024) }));
    expect(r.code).toBe(1);
    expect(r.err).toContain('SDL4210');
  });
});
