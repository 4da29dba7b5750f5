import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzzOne, mutate, prng, seedCorpus, warmUp } from '../../../../test/support/skill-fuzz.js';

// The CI share of the fuzzing (bench/fuzz runs 100,000): seeded mutants of every skill and fixture
// in the repository, each checked twice by the front end. Properties: no throw, under a second of
// CPU, the same diagnostics both times, every range inside the file.
const ROOT = fileURLToPath(new URL('../../../..', import.meta.url)).replace(/\/$/, '');
const FILES = Number(process.env.SDL_FUZZ_FILES ?? 2500);
// Smaller amplifiers than bench/fuzz (still past every nesting limit) keep this under a minute (3,000 took 62 s of test time at load 3-5; 2,500 is ~52 s).
const AMPLIFY = 400;
const SEED = Number(process.env.SDL_FUZZ_SEED ?? 20261201);
const REGRESSIONS = `${ROOT}/test/fixtures/fuzz-regressions`;

describe('fuzzed skill files through the front end', () => {
  const corpus = seedCorpus(ROOT);
  warmUp(corpus);

  it('starts from the skills, the fixtures and the regression inputs', () => {
    const names = corpus.map((c) => c.name);
    expect(names.some((n) => n.startsWith('skills/'))).toBe(true);
    expect(names.some((n) => n.startsWith('test/fixtures/invalid/'))).toBe(true);
    expect(names.filter((n) => n.startsWith('test/fixtures/fuzz-regressions/')).length).toBeGreaterThan(10);
  });

  it.each(readdirSync(REGRESSIONS).filter((f) => f.endsWith('.fuzz')))('regression %s checks cleanly', (file) => {
    expect(fuzzOne(readFileSync(`${REGRESSIONS}/${file}`)).problems).toEqual([]);
  });

  it(`${FILES} mutants (seed ${SEED}): no crash, none over 1 s CPU, deterministic, positions inside the file`, () => {
    const encoder = new TextEncoder();
    const failures: string[] = [];
    for (let i = 0; i < FILES; i++) {
      const rand = prng(SEED * 1_000_003 + i);
      const base = corpus[Math.floor(rand() * corpus.length)]!;
      const outcome = fuzzOne(encoder.encode(mutate(base.text, rand, AMPLIFY)));
      for (const p of outcome.problems) failures.push(`#${i} from ${base.name}: ${p.kind}: ${p.detail.slice(0, 200)}`);
    }
    // Replay #i with: npx tsx bench/fuzz/run.ts --seed <SEED> --start <i> --files 1 --amplify 400 --out /tmp/fuzz
    expect(failures).toEqual([]);
  }, 240_000);
});
