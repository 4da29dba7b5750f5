/**
 * Host tools for `skillc run`: a skill's declared tools are host code, taken from a module. For
 * the skill run it is, in order: the `--tools` module; `<name>.tools.mjs` beside the file run (the
 * convention `skillc test` uses for stand-ins); for compiled IR, `<name>.tools.mjs` beside the
 * source file the IR names (so `build/x.skill.json` finds `skills/x.tools.mjs`). The module runs
 * in this process: it is the user's own code, like a host application's.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HostTool, LoadedSkill } from '@sdl/runtime';

/** The tools module is missing or malformed; the message says what to write. */
export class HostToolsError extends Error {}

/** `summarize.skill.yaml` / `summarize.skill.json` -> `summarize.tools.mjs` in the same directory. */
export function toolsModuleFor(skillFile: string): string {
  return skillFile.replace(/(\.skill)?\.(ya?ml|json)$/i, '.tools.mjs');
}

/**
 * Loads the host tools a skill declares from the module beside it, then those of its `uses:`
 * dependencies from modules beside theirs (a tool already loaded is not loaded again). A skill
 * without `tools:` needs no module; a dependency's missing tools are reported by the runtime's
 * resolution, tool by tool.
 */
export async function loadHostTools(
  skill: LoadedSkill,
  skillFile: string,
  cwd: string,
  explicit?: string,
  options: { moduleOptional?: boolean } = {},
): Promise<Record<string, HostTool>> {
  const tools: Record<string, HostTool> = {};
  const declared = Object.keys(skill.tools);
  if (explicit !== undefined && !existsSync(explicit)) {
    throw new HostToolsError(`--tools ${path.relative(cwd, explicit) || explicit} does not exist; pass the path of the tools module`);
  }
  if (declared.length > 0 || explicit !== undefined) {
    const candidates = explicit !== undefined ? [explicit] : [toolsModuleFor(skillFile), toolsModuleFor(path.resolve(cwd, skill.file))];
    const module = candidates.find((candidate) => existsSync(candidate));
    if (module !== undefined) Object.assign(tools, await loadModule(skill, module, cwd));
    else if (options.moduleOptional !== true) {
      // (With MCP servers configured the tools may come from them; the runtime reports any nothing serves.)
      const shown = [...new Set(candidates.map((c) => path.relative(cwd, c) || c))].join(' or ');
      throw new HostToolsError(
        `skill \`${skill.name}\` declares tools (${declared.join(', ')}); write ${shown} exporting \`export default { ${declared[0]}: { execute(args) { ... } } }\`, or pass --tools <module>`,
      );
    }
  }
  const seen = new Set<LoadedSkill>([skill]);
  const pending = Object.values(skill.dependencies).map((d) => d.skill);
  while (pending.length > 0) {
    const dependency = pending.shift()!;
    if (seen.has(dependency)) continue;
    seen.add(dependency);
    pending.push(...Object.values(dependency.dependencies).map((d) => d.skill));
    const missing = Object.keys(dependency.tools).filter((name) => tools[name] === undefined);
    if (missing.length === 0) continue;
    // LoadedSkill.file is relative to the process directory.
    const module = toolsModuleFor(path.resolve(dependency.file));
    if (!existsSync(module)) continue;
    for (const [name, tool] of Object.entries(await loadModule(dependency, module, cwd))) tools[name] ??= tool;
  }
  return tools;
}

async function loadModule(skill: LoadedSkill, module: string, cwd: string): Promise<Record<string, HostTool>> {
  const shown = path.relative(cwd, module) || module;
  const loaded = (await import(pathToFileURL(module).href)) as { default?: unknown; tools?: unknown };
  const exported = (loaded.default ?? loaded.tools) as Record<string, Partial<HostTool>> | undefined;
  if (exported === undefined || exported === null || typeof exported !== 'object') {
    throw new HostToolsError(`${shown} must \`export default { <tool>: { execute(args) { ... } } }\``);
  }
  const tools: Record<string, HostTool> = {};
  for (const [name, tool] of Object.entries(exported)) {
    if (typeof tool?.execute !== 'function') throw new HostToolsError(`${shown}: tool \`${name}\` has no execute(args) function`);
    const declaration = skill.tools[name];
    const returns = tool.returns ?? declaration?.returns;
    tools[name] = {
      parameters: tool.parameters ?? declaration?.parameters ?? { type: 'object' },
      ...(returns !== undefined ? { returns } : {}),
      execute: tool.execute,
    };
  }
  return tools;
}
