/**
 * Load-time resolution: turns a {@link LoadedSkill} into a {@link PreparedSkill} the scheduler can
 * run, or refuses with every reason at once. Checks that each declared tool is registered with a
 * compatible schema, that some engine satisfies `requires:`, and that dependent skills are present
 * with a matching version and content hash (recursively). Makes the input, output and tool
 * argument validators here (validators.ts: checked now, compiled now or on first use).
 */
import { createRequire } from 'node:module';
import { requireOneFileCopy } from '@sdl/compiler/core';
import { unknownEngineProblems } from './unknown-engines.js';
import type { ToolRegistry } from '../tools/registry.js';
import { toolIncompatibilities } from '../tools/compatibility.js';
import type { EngineBinding } from '../run/call-model.js';
import type { LoadedSkill } from './loaded-skill.js';
import { qualifyEngines, type DescribeModel, type EngineQualification } from './requirements.js';
import { SkillResolutionError, type ResolutionProblem } from './resolution-error.js';
import { compileValidator, type SchemaValidator } from './validators.js';

type Satisfies = (version: string, range: string, options: { includePrerelease: boolean }) => boolean;
let satisfiesFn: Satisfies | undefined;

/**
 * `semver.satisfies`, required on first use (only that function's modules, not all of semver; from
 * the build's one-file copy when there is one): skills without version ranges never load it.
 */
function satisfies(version: string, range: string, options: { includePrerelease: boolean }): boolean {
  satisfiesFn ??= requireOneFileCopy(new URL('../../generated/semver-satisfies.cjs', import.meta.url), 'semver', () => ({
    satisfies: createRequire(import.meta.url)('semver/functions/satisfies.js') as Satisfies,
  })).satisfies;
  return satisfiesFn(version, range, options);
}

/** A skill resolved against one runtime's engines and tools, with its validators compiled. */
export interface PreparedSkill {
  readonly skill: LoadedSkill;
  readonly inputValidator: SchemaValidator;
  /** Output validators of prompt steps whose output is a schema, by step id. */
  readonly outputValidators: ReadonlyMap<string, SchemaValidator>;
  /** Argument validators of the skill's declared tools, by tool name. */
  readonly toolValidators: ReadonlyMap<string, SchemaValidator>;
  /** Every candidate engine with the reasons it does not qualify (none when it does). */
  readonly engineQualifications: readonly EngineQualification[];
  /** Qualified engine names, preferred first. */
  readonly engines: readonly string[];
  readonly dependencies: ReadonlyMap<string, PreparedSkill>;
}

/** What a skill is resolved against before it runs: the configured engines, the registered tools and model data. */
export interface ResolutionEnvironment {
  engines: ReadonlyMap<string, EngineBinding>;
  tools: ToolRegistry;
  describeModel?: DescribeModel;
  /** Refuse a skill that names an engine (`engines.prefer`, `engines.models`, a step's `engine`) not in `engines`. */
  strictEngines?: boolean;
}

function compileOrReport(
  schema: unknown,
  subject: string,
  problems: ResolutionProblem[],
  location?: LoadedSkill['steps'][number]['source'],
): SchemaValidator | undefined {
  try {
    return compileValidator(schema as Parameters<typeof compileValidator>[0]);
  } catch (error) {
    problems.push({ kind: 'schema', subject, reason: `does not compile: ${(error as Error).message}`, ...(location ? { location } : {}) });
    return undefined;
  }
}

/** Resolves a skill (and its dependencies) or throws {@link SkillResolutionError} listing every problem. */
export function prepareSkill(skill: LoadedSkill, env: ResolutionEnvironment, loading: string[] = []): PreparedSkill {
  const problems: ResolutionProblem[] = [];

  const inputValidator = compileOrReport(skill.inputs, 'inputs', problems);
  const outputValidators = new Map<string, SchemaValidator>();
  for (const step of skill.steps) {
    if (step.kind === 'prompt' && step.output.kind === 'schema') {
      const validator = compileOrReport(step.output.schema, `steps.${step.id}.output`, problems, step.source);
      if (validator !== undefined) outputValidators.set(step.id, validator);
    }
  }

  const toolValidators = new Map<string, SchemaValidator>();
  for (const declared of Object.values(skill.tools)) {
    const validator = compileOrReport(declared.parameters, `tools.${declared.name}.parameters`, problems, declared.source);
    if (validator !== undefined) toolValidators.set(declared.name, validator);
    const registered = env.tools.get(declared.name);
    if (registered === undefined) {
      problems.push({
        kind: 'tool',
        subject: declared.name,
        reason: 'not registered; pass it in `createRuntime({ tools })` or call `runtime.tools.register()`',
        location: declared.source,
      });
      continue;
    }
    for (const reason of toolIncompatibilities(declared, registered)) {
      const whose = registered.origin === undefined ? 'registered schema' : `schema of ${registered.origin}`;
      problems.push({ kind: 'tool', subject: declared.name, reason: `${whose} is incompatible: ${reason}`, location: declared.source });
    }
  }
  for (const step of skill.steps) {
    const used = step.kind === 'tool' ? [step.tool] : step.kind === 'prompt' ? step.tools : [];
    for (const name of used) {
      if (skill.tools[name] === undefined) {
        problems.push({ kind: 'tool', subject: name, reason: `used by step \`${step.id}\` but not declared under \`tools:\``, location: step.source });
      }
    }
  }

  problems.push(...graphProblems(skill));

  if (env.strictEngines === true) problems.push(...unknownEngineProblems(skill, [...env.engines.keys()]));
  const engineQualifications = qualifyEngines(skill, env.engines, env.describeModel);
  const engines = engineQualifications.filter((q) => q.reasons.length === 0).map((q) => q.engine);
  for (const step of skill.steps) {
    if (step.kind !== 'prompt' || step.engine === undefined) continue;
    const pinned = engineQualifications.find((q) => q.engine === step.engine);
    if (pinned !== undefined && pinned.reasons.length > 0 && engines.length > 0) {
      problems.push({ kind: 'engine', subject: step.engine, reason: `step \`${step.id}\` is pinned to it, but ${pinned.reasons.join('; ')}`, location: step.source });
    }
  }
  const needsEngine = skill.steps.some((s) => s.kind === 'prompt');
  if (needsEngine && engines.length === 0) {
    if (engineQualifications.length === 0) {
      problems.push({ kind: 'engine', subject: '(none)', reason: 'the runtime has no engines; pass `engines` to createRuntime' });
    }
    for (const q of engineQualifications) problems.push({ kind: 'engine', subject: q.engine, reason: q.reasons.join('; ') });
  }

  const dependencies = new Map<string, PreparedSkill>();
  const chain = [...loading, `${skill.name}@${skill.version}`];
  for (const step of skill.steps) {
    if (step.kind === 'use' && skill.dependencies[step.use] === undefined) {
      problems.push({ kind: 'dependency', subject: step.use, reason: `used by step \`${step.id}\` but not present in the bundle`, location: step.source });
    }
  }
  for (const dependency of Object.values(skill.dependencies)) {
    const dep = dependency.skill;
    const subject = `${dependency.alias} (${dependency.reference})`;
    if (chain.includes(`${dep.name}@${dep.version}`)) {
      problems.push({ kind: 'dependency', subject, reason: `cycle: ${[...chain, `${dep.name}@${dep.version}`].join(' -> ')}`, location: dependency.source });
      continue;
    }
    if (dependency.versionRange !== undefined && !satisfies(dep.version, dependency.versionRange, { includePrerelease: true })) {
      problems.push({
        kind: 'dependency',
        subject,
        reason: `version ${dep.version} does not satisfy ${dependency.versionRange}`,
        location: dependency.source,
      });
    }
    if (dependency.expectedHash !== undefined && dependency.expectedHash !== dep.hash) {
      problems.push({
        kind: 'dependency',
        subject,
        reason: `content hash ${dep.hash} differs from the pinned ${dependency.expectedHash} (recompile, or update the lockfile)`,
        location: dependency.source,
      });
    }
    try {
      dependencies.set(dependency.alias, prepareSkill(dep, env, chain));
    } catch (error) {
      if (!(error instanceof SkillResolutionError)) throw error;
      for (const p of error.problems) problems.push({ ...p, subject: `${dependency.alias} › ${p.subject}` });
    }
  }

  if (problems.length > 0 || inputValidator === undefined) throw new SkillResolutionError(skill.name, skill.file, problems);
  return { skill, inputValidator, outputValidators, toolValidators, engineQualifications, engines, dependencies };
}

/** Duplicate step ids, edges to unknown steps and cycles (the compiler refuses these; an IR built by hand may not). */
function graphProblems(skill: LoadedSkill): ResolutionProblem[] {
  const problems: ResolutionProblem[] = [];
  const byId = new Map<string, LoadedSkill['steps'][number]>();
  for (const step of skill.steps) {
    if (byId.has(step.id)) problems.push({ kind: 'schema', subject: `steps.${step.id}`, reason: 'duplicate step id', location: step.source });
    else byId.set(step.id, step);
  }
  for (const step of skill.steps) {
    for (const id of step.dependsOn) {
      if (!byId.has(id)) problems.push({ kind: 'schema', subject: `steps.${step.id}`, reason: `depends on unknown step \`${id}\``, location: step.source });
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    const mark = state.get(id);
    if (mark === 'done') return;
    if (mark === 'visiting') {
      const cycle = [...path.slice(path.indexOf(id)), id];
      problems.push({ kind: 'schema', subject: `steps.${id}`, reason: `steps depend on each other in a cycle: ${cycle.join(' -> ')}`, location: byId.get(id)!.source });
      return;
    }
    state.set(id, 'visiting');
    for (const next of byId.get(id)?.dependsOn ?? []) if (byId.has(next)) visit(next, [...path, id]);
    state.set(id, 'done');
  };
  for (const step of skill.steps) visit(step.id, []);
  return problems;
}
