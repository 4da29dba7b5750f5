/**
 * SDL3050 for `skillc check` and `skillc test`: engines a skill names that the project's
 * `sdl.config.yaml` does not define, each at the name, with a did-you-mean. The runtime refuses
 * such a skill at load; this says so before anything runs.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '@sdl/adapters';
import { didYouMean, makeDiagnostic, parseSkill, rangeOfPath, type Diagnostic, type SourceFile, type ValuePath } from '@sdl/compiler';
import { readFileSync } from 'node:fs';

/**
 * The engine names of the config in `cwd` (or `configFile`), or undefined when there is none.
 * Only the names matter here, so `${env:NAME}` references need not be set.
 */
export function configuredEngineNames(cwd: string, configFile?: string): string[] | undefined {
  const file = path.resolve(cwd, configFile ?? 'sdl.config.yaml');
  if (!existsSync(file)) return undefined;
  const anyValue = new Proxy({}, { get: (_target, key) => (typeof key === 'string' ? 'set' : undefined) }) as Record<string, string>;
  const { config } = parseConfig(readFileSync(file, 'utf8'), file, { env: anyValue });
  return config === undefined ? undefined : Object.keys(config.engines);
}

/** SDL3050 for every engine name in `sources` that `configured` lacks. */
export function unknownEngineDiagnostics(sources: Iterable<SourceFile>, configured: readonly string[], configShown: string): Diagnostic[] {
  const known = new Set(configured);
  const diagnostics: Diagnostic[] = [];
  for (const source of sources) {
    const parsed = parseSkill(source);
    const skill = parsed.value as { engines?: { prefer?: unknown; models?: unknown }; steps?: unknown } | undefined;
    if (skill === undefined || skill === null || typeof skill !== 'object') continue;
    const names: { name: string; at: ValuePath; target: 'key' | 'value' }[] = [];
    const prefer = skill.engines?.prefer;
    if (Array.isArray(prefer)) prefer.forEach((name, i) => typeof name === 'string' && names.push({ name, at: ['engines', 'prefer', i], target: 'value' }));
    const models = skill.engines?.models;
    if (models !== null && typeof models === 'object' && !Array.isArray(models)) {
      for (const name of Object.keys(models)) names.push({ name, at: ['engines', 'models', name], target: 'key' });
    }
    if (Array.isArray(skill.steps)) {
      skill.steps.forEach((step: unknown, i) => {
        const engine = (step as { engine?: unknown } | null)?.engine;
        if (typeof engine === 'string') names.push({ name: engine, at: ['steps', i, 'engine'], target: 'value' });
      });
    }
    for (const { name, at, target } of names) {
      if (known.has(name)) continue;
      const hint = didYouMean(name, configured) ?? `add \`${name}\` under \`engines:\` in ${configShown}, or remove it from the skill`;
      diagnostics.push(
        makeDiagnostic('SDL3050', source.path, rangeOfPath(parsed, at, target), `engine \`${name}\` is not defined in ${configShown} (engines: ${configured.join(', ')})`, hint),
      );
    }
  }
  return diagnostics;
}
