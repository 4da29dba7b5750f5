import { isMap, isScalar, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { Diagnostic, Range } from '../diagnostics/diagnostic.js';
import { SourceFile } from '../source/source-file.js';

/** One entry of a skill's `uses:` mapping, with the source ranges the resolver reports at. */
export interface UsesEntry {
  /** The key under `uses:`, e.g. `chunk`. */
  alias: string;
  /** The `skill:` value: `./relative.skill.yaml`, `pkg/skill` or `@scope/pkg/skill`. */
  skill: string;
  /** The `version:` semver range, when given. */
  range?: string;
  /** The whole `alias: {...}` entry (key through value). */
  entryRange: Range;
  /** The alias key. */
  aliasRange: Range;
  /** The `skill:` value. */
  skillRange: Range;
  /** The `version:` value, when given. */
  versionRange?: Range;
}

/** What the resolver needs from a skill file; everything else is the front end's business. */
export interface SkillHeader {
  name?: string;
  version?: string;
  nameRange?: Range;
  versionRange?: Range;
  uses: UsesEntry[];
  diagnostics: Diagnostic[];
}

const NO_RANGE: Range = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

/**
 * Reads `name`, `version` and `uses:` from a skill file with `yaml`'s `parseDocument`.
 *
 * Kept in its own module and deliberately lenient: schema errors are the front end's job
 * (`src/yaml`, `src/schema`), and once the front end lands this can be swapped for its parse
 * without touching the resolver. It reports only what stops resolution (unreadable YAML, a
 * `uses:` entry without a usable `skill:`), with SDL5xxx codes.
 */
export function readSkillHeader(file: SourceFile): SkillHeader {
  return headerFromDocument(parseDocument(file.text, { prettyErrors: false, uniqueKeys: false }), file);
}

/**
 * The same from a document already parsed (e.g. by the front end, so a compile parses each file
 * once). `doc` must come from `file.text`: its node ranges are offsets into it.
 */
export function headerFromDocument(doc: Pick<Document, 'errors' | 'contents'>, file: SourceFile): SkillHeader {
  const header: SkillHeader = { uses: [], diagnostics: [] };
  const rangeOf = (node: YamlNode | null | undefined): Range => {
    const r = node?.range;
    return r ? file.rangeAt(r[0], r[1]) : NO_RANGE;
  };
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    header.diagnostics.push({
      code: 'SDL5010',
      severity: 'error',
      message: `cannot read the dependency header: ${first.message.split('\n')[0]}`,
      file: file.path,
      range: file.rangeAt(first.pos[0], first.pos[1]),
      hint: 'fix the YAML syntax error; `skillc check` on this file shows every problem',
    });
    return header;
  }
  const root = doc.contents;
  if (!isMap(root)) return header;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    const value = pair.value as YamlNode | null;
    if (key === 'name' && isScalar(value) && typeof value.value === 'string') {
      header.name = value.value;
      header.nameRange = rangeOf(value);
    } else if (key === 'version' && isScalar(value) && value.value !== null) {
      header.version = String(value.value);
      header.versionRange = rangeOf(value);
    } else if (key === 'uses' && isMap(value)) {
      for (const entry of value.items) {
        const alias = isScalar(entry.key) ? String(entry.key.value) : undefined;
        if (alias === undefined) continue;
        const keyNode = entry.key as YamlNode;
        const body = entry.value as YamlNode | null;
        const keyRange = keyNode.range;
        const entryRange = file.rangeAt(keyRange?.[0] ?? 0, body?.range?.[1] ?? keyRange?.[1] ?? 0);
        const skillNode = isMap(body) ? (body.get('skill', true) as YamlNode | undefined) : undefined;
        if (!isScalar(skillNode) || typeof skillNode.value !== 'string' || skillNode.value === '') {
          header.diagnostics.push({
            code: 'SDL5011',
            severity: 'error',
            message: `\`uses.${alias}\` has no \`skill:\` to resolve`,
            file: file.path,
            range: entryRange,
            hint: 'write `{ skill: ./other.skill.yaml, version: "^1.0.0" }` or `{ skill: package-name/skill-name }`',
          });
          continue;
        }
        const used: UsesEntry = {
          alias,
          skill: skillNode.value,
          entryRange,
          aliasRange: rangeOf(keyNode),
          skillRange: rangeOf(skillNode),
        };
        const versionNode = isMap(body) ? (body.get('version', true) as YamlNode | undefined) : undefined;
        if (isScalar(versionNode) && versionNode.value !== null) {
          used.range = String(versionNode.value);
          used.versionRange = rangeOf(versionNode);
        }
        header.uses.push(used);
      }
    }
  }
  return header;
}
