/** Scene 1: compile `skills/` with `skillc compile` (in-process) and load the IR into the runtime. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as skillc } from '@sdl/cli';
import { loadSkillFile } from '@sdl/runtime';
import { section, table } from '../format.mjs';

/** The example skills the scenes run. */
const DEMO_SKILLS = ['summarize-document', 'chunk-text', 'translate-with-glossary', 'support-reply', 'classify-ticket'];

/**
 * @param {import('../format.mjs').Out} out
 * @param {{ root: string }} options
 * @returns {Promise<{ skills: Map<string, any>, outDir: string }>}
 */
export async function compileScene(out, { root }) {
  section(out, 1, 'Compile skills/', 'skillc compile checks every skill and writes versioned IR (nothing on error)');
  const outDir = await mkdtemp(join(tmpdir(), 'sdl-demo-'));
  try {
    return await compileInto(out, root, outDir);
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    throw error;
  }
}

async function compileInto(out, root, outDir) {
  let report = '';
  const capture = { write: (chunk) => ((report += chunk), true) };
  const started = performance.now();
  const code = await skillc(['compile', 'skills', '--out', outDir], { stdout: capture, stderr: capture, cwd: root, env: process.env });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`skillc compile skills/ failed (exit ${code}):\n${report}`);
  out.line(`  $ skillc compile skills --out ${outDir}`);
  for (const line of report.trimEnd().split('\n')) out.line(`  ${out.c.green(line)}`);
  out.line();

  const skills = new Map();
  const rows = [];
  for (const file of (await readdir(outDir)).filter((f) => f.endsWith('.skill.json')).sort()) {
    const skill = await loadSkillFile(join(outDir, file));
    skills.set(skill.name, skill);
    rows.push([skill.name, skill.version, String(skill.steps.length), skill.description.length > 58 ? `${skill.description.slice(0, 57)}…` : skill.description]);
  }
  const missing = DEMO_SKILLS.filter((name) => !skills.has(name));
  if (missing.length > 0) throw new Error(`skills/ has no ${missing.join(', ')}; the demo runs these example skills (restore them from git)`);
  table(out, ['skill', 'version', 'steps', 'what it does'], rows, { align: ['left', 'right', 'right', 'left'] });
  out.line();
  out.line(out.c.dim(`  ${skills.size} skills compiled and loaded from IR in ${Math.round(ms)} ms`));
  return { skills, outDir };
}
