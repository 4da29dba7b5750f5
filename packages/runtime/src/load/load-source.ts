/**
 * The entry to development loading ({@link loadSkillSource}) without its cost at import: the
 * compiler's front end (YAML, schema validation, the expression parser) is loaded on the first
 * call, so a host that only runs compiled IR never loads it.
 */
import type { LoadedSkill } from './loaded-skill.js';
import type { SourceLoadOptions } from './skill-compile-error.js';

/**
 * Reads, checks and builds a skill source file (`*.skill.yaml`) and, recursively, the `./relative`
 * skills it `uses:`. Throws {@link SkillCompileError} with the compiler's diagnostics when a file has errors.
 */
export async function loadSkillSource(file: string, options: SourceLoadOptions = {}): Promise<LoadedSkill> {
  const { loadSkillSource: load } = await import('./from-source.js');
  return load(file, options);
}
