/**
 * The skills a server serves: every `*.skill.yaml` (compiled on load) or `*.skill.json` (IR) under
 * a directory, by name. Two files defining one name are refused, naming both; a file that fails
 * to load is reported with its error and the rest still load, so the caller can print everything.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadSkillFile, type LoadedSkill } from '@sdl/runtime';

/** A served skill and the file it came from. */
export interface ServedSkill {
  skill: LoadedSkill;
  /** Absolute path of the skill file. */
  file: string;
}

/** What {@link loadSkillsDir} found. */
export interface SkillsDirResult {
  /** Skills by name. */
  skills: Map<string, ServedSkill>;
  /** Files that did not load (compile errors, IR errors, duplicate names), with the error. */
  problems: { file: string; error: unknown }[];
}

const SKILL_FILE = /\.skill\.(ya?ml|json)$/i;

function skillFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) skillFiles(full, out);
    else if (entry.isFile() && SKILL_FILE.test(entry.name)) out.push(full);
  }
  return out;
}

/** Loads every skill file under `dir` (recursively; dot directories and node_modules skipped). */
export async function loadSkillsDir(dir: string): Promise<SkillsDirResult> {
  const root = path.resolve(dir);
  const skills = new Map<string, ServedSkill>();
  const problems: SkillsDirResult['problems'] = [];
  for (const file of skillFiles(root)) {
    let skill: LoadedSkill;
    try {
      skill = await loadSkillFile(file, { projectRoot: root });
    } catch (error) {
      problems.push({ file, error });
      continue;
    }
    const seen = skills.get(skill.name);
    if (seen !== undefined) {
      const shown = (f: string) => path.relative(root, f);
      problems.push({ file, error: new Error(`skill \`${skill.name}\` is defined by both ${shown(seen.file)} and ${shown(file)}; serve a directory with one of them (e.g. the build directory)`) });
      continue;
    }
    skills.set(skill.name, { skill, file });
  }
  return { skills, problems };
}
