import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { skillc } from './helpers.js';

// CI proof that every example skill in skills/ checks, compiles and passes its own tests.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const skillFiles = readdirSync(path.join(repoRoot, 'skills')).filter((f) => f.endsWith('.skill.yaml'));
const out = mkdtempSync(path.join(tmpdir(), 'sdl-skills-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('skills/', () => {
  it('holds at least 8 example skills', () => {
    expect(skillFiles.length).toBeGreaterThanOrEqual(8);
  });

  it('skillc check skills/ reports no problems', async () => {
    const { code, out: report } = await skillc(['check', 'skills'], repoRoot);
    expect(report).toBe(`no problems in ${skillFiles.length} files\n`);
    expect(code).toBe(0);
  });

  it('skillc compile skills/ --out writes one IR file per skill, against the committed sdl.lock, checked against schemas/ir.schema.json', async () => {
    const { code, err } = await skillc(['compile', 'skills', '--out', out, '--frozen-lockfile', '--verify-ir'], repoRoot);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.skill.json')).length).toBe(skillFiles.length);
  });

  it('skillc fmt --check finds every example skill canonically formatted', async () => {
    const { code, out: report, err } = await skillc(['fmt', '--check', 'skills', 'demo/skills'], repoRoot);
    expect({ code, report, err }).toMatchObject({ code: 0, err: '' });
  });

  it('skillc test skills/ passes every test', async () => {
    const { code, out: report } = await skillc(['test', 'skills'], repoRoot);
    const failed = report
      .split('\n')
      .filter((line) => line.startsWith('  ✗'))
      .map((line) => line.slice(4));
    expect(failed).toEqual([]);
    const totals = /\n(\d+) passed, (\d+) failed\n$/.exec(report);
    expect(totals).not.toBeNull();
    expect(Number(totals![1])).toBeGreaterThanOrEqual(14);
    expect(Number(totals![2])).toBe(0);
    expect(code).toBe(0);
  });
});
