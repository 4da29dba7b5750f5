import type { Node } from 'yaml';
import { asArray, isRecord } from '../check/context.js';
import type { ParsedSkill } from '../yaml/parse.js';
import { locatePath, type ValuePath } from '../yaml/ranges.js';
import { compileScalar, type CompiledSource } from './compiled-source.js';

/** Which kind key an `attach:` item uses (`image` or `document`); undefined when it has neither (the schema reports it). */
export function attachmentKey(item: unknown): 'image' | 'document' | undefined {
  if (!isRecord(item)) return undefined;
  return typeof item.image === 'string' ? 'image' : typeof item.document === 'string' ? 'document' : undefined;
}

/** Escapes one JSON Pointer segment (RFC 6901). */
export const pointerSegment = (s: string | number): string => String(s).replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every expression and template of a skill, parsed, by IR pointer (`/steps/1/user`, `/return`):
 * `when:`, `for_each:`, prompt `system:`/`user:`/`messages[].content`, `attach:` values, string `with:` arguments and `return:`. This is
 * the one list of where expressions live; `bindSkill` type-checks what it finds here. It needs
 * the YAML document (positions); its result does not, so a build can compile a file's sources
 * right after its front end and let the document go.
 */
export function compileSources(parsed: ParsedSkill): Map<string, CompiledSource> {
  const { source } = parsed;
  const skill = isRecord(parsed.value) ? parsed.value : {};
  const out = new Map<string, CompiledSource>();
  const add = (path: ValuePath, pointer: string, kind: CompiledSource['kind']) => {
    const found = locatePath(parsed, path);
    const compiled = compileScalar(found.depth === path.length ? (found.node as Node | null) : undefined, kind, source);
    if (compiled) out.set(pointer, compiled);
  };
  asArray(skill.steps).forEach((step, index) => {
    if (!isRecord(step)) return;
    const ptr = `/steps/${index}`;
    add(['steps', index, 'when'], `${ptr}/when`, 'expression');
    if (step.for_each !== undefined) add(['steps', index, 'for_each'], `${ptr}/for_each/over`, 'expression');
    if (isRecord(step.prompt)) {
      add(['steps', index, 'prompt', 'system'], `${ptr}/system`, 'template');
      add(['steps', index, 'prompt', 'user'], `${ptr}/user`, 'template');
      asArray(step.prompt.messages).forEach((_, m) => add(['steps', index, 'prompt', 'messages', m, 'content'], `${ptr}/messages/${m}/content`, 'template'));
      asArray(step.prompt.attach).forEach((item, a) => {
        const key = attachmentKey(item);
        if (key) add(['steps', index, 'prompt', 'attach', a, key], `${ptr}/attach/${a}/value`, 'expression');
      });
    }
    if (isRecord(step.with)) {
      for (const [name, value] of Object.entries(step.with)) {
        if (typeof value === 'string') add(['steps', index, 'with', name], `${ptr}/with/${pointerSegment(name)}`, 'expression');
      }
    }
  });
  add(['return'], '/return', 'expression');
  return out;
}
