/**
 * Host tools for `skillc run`: a skill's declared tools are host code, taken from the module
 * `<name>.tools.mjs` beside the skill file (the convention `skillc test` uses for stand-ins).
 * The module runs in this process: it is the user's own code, like a host application's.
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

/** Loads the host tools a skill declares; a skill without `tools:` needs no module. */
export async function loadHostTools(skill: LoadedSkill, skillFile: string, cwd: string): Promise<Record<string, HostTool>> {
  const declared = Object.keys(skill.tools);
  if (declared.length === 0) return {};
  const module = toolsModuleFor(skillFile);
  const shown = path.relative(cwd, module) || module;
  if (!existsSync(module)) {
    throw new HostToolsError(
      `skill \`${skill.name}\` declares tools (${declared.join(', ')}); write ${shown} exporting \`export default { ${declared[0]}: { execute(args) { ... } } }\``,
    );
  }
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
