import { formatLocation, type SourceLocation } from './loaded-skill.js';
import { SdlRuntimeError } from '../run/errors.js';

/** One reason a skill cannot run in this runtime. */
export interface ResolutionProblem {
  kind: 'engine-name' | 'engine' | 'tool' | 'dependency' | 'schema';
  /** The engine, tool, dependency alias or schema concerned. */
  subject: string;
  reason: string;
  location?: SourceLocation;
}

const HEADINGS: Record<ResolutionProblem['kind'], string> = {
  'engine-name': 'engines the skill names but this runtime does not have',
  engine: 'no engine satisfies `requires:`',
  tool: 'tools the host must register',
  dependency: 'dependent skills',
  schema: 'schemas',
};

/**
 * Load-time refusal: the skill needs engines, tools or dependent skills this runtime cannot give it.
 * The message lists every problem, grouped, each with what to do about it.
 */
export class SkillResolutionError extends SdlRuntimeError {
  readonly skill: string;
  readonly problems: ResolutionProblem[];

  constructor(skill: string, file: string, problems: ResolutionProblem[]) {
    const lines: string[] = [`cannot load skill \`${skill}\` (${file}):`];
    for (const kind of ['engine-name', 'engine', 'tool', 'dependency', 'schema'] as const) {
      const group = problems.filter((p) => p.kind === kind);
      if (group.length === 0) continue;
      lines.push(`  ${HEADINGS[kind]}:`);
      for (const p of group) {
        lines.push(`    - ${p.subject}: ${p.reason}${p.location === undefined ? '' : ` (${formatLocation(p.location)})`}`);
      }
    }
    super('skill_unresolved', lines.join('\n'));
    this.skill = skill;
    this.problems = problems;
  }
}
