import { SdlRuntimeError } from '../run/errors.js';
import { loadSkillSource } from './load-source.js';
import type { SourceLoadOptions } from './skill-compile-error.js';
import { loadIrFile, type IrLoadOptions } from './ir-loader.js';
import type { LoadedSkill } from './loaded-skill.js';

/**
 * Loads a skill by file name: compiled IR (`*.skill.json`, `*.json`) or, for development, a skill
 * source (`*.skill.yaml`, `*.yaml`, `*.yml`) compiled on the fly.
 */
export function loadSkillFile(path: string, options: SourceLoadOptions & Omit<IrLoadOptions, 'file'> = {}): Promise<LoadedSkill> {
  if (/\.json$/i.test(path)) return loadIrFile(path, options.limits === undefined ? {} : { limits: options.limits });
  if (/\.ya?ml$/i.test(path)) return loadSkillSource(path, options);
  return Promise.reject(
    new SdlRuntimeError('skill_file_kind', `${path}: expected a compiled skill (.skill.json) or a skill source (.skill.yaml)`),
  );
}
