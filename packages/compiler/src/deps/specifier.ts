import path from 'node:path';

/** A parsed `uses.<alias>.skill` value. */
export type Specifier =
  | { kind: 'relative'; path: string }
  | { kind: 'absolute'; path: string }
  | { kind: 'package'; packageName: string; skillName: string }
  | { kind: 'invalid'; reason: string; hint: string };

// npm's package-name rules (lower case, URL-safe), with an optional @scope.
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const SKILL_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Classifies a `skill:` value: `./x.skill.yaml` / `../x.skill.yaml` are paths relative to the
 * importing file; `pkg/skill` and `@scope/pkg/skill` name a skill listed in an npm package's
 * `package.json`. Absolute paths are recognized so the resolver can refuse them.
 */
export function parseSpecifier(spec: string): Specifier {
  if (spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..') {
    return { kind: 'relative', path: spec };
  }
  if (path.isAbsolute(spec) || /^[A-Za-z]:[\\/]/.test(spec) || spec.startsWith('\\') || spec.startsWith('~')) {
    return { kind: 'absolute', path: spec };
  }
  if (/\.ya?ml$/i.test(spec)) {
    return {
      kind: 'invalid',
      reason: `\`${spec}\` looks like a file path but does not start with \`./\` or \`../\``,
      hint: `write \`./${spec}\` for a file next to this one`,
    };
  }
  const parts = spec.split('/');
  const scoped = spec.startsWith('@');
  const want = scoped ? 3 : 2;
  if (parts.length !== want) {
    return {
      kind: 'invalid',
      reason: `\`${spec}\` is neither a relative path nor \`package/skill\``,
      hint: 'write `./file.skill.yaml`, `package-name/skill-name` or `@scope/package-name/skill-name`',
    };
  }
  const skillName = parts[parts.length - 1]!;
  const packageName = parts.slice(0, -1).join('/');
  if (!PACKAGE_NAME.test(packageName)) {
    return {
      kind: 'invalid',
      reason: `\`${packageName}\` is not a valid npm package name`,
      hint: 'npm package names are lower case: letters, digits, `-`, `.`, `_`, `~`, optionally `@scope/`',
    };
  }
  if (!SKILL_NAME.test(skillName)) {
    return {
      kind: 'invalid',
      reason: `\`${skillName}\` is not a valid skill name`,
      hint: 'skill names are lower-case identifiers: letters, digits, `-` and `_`',
    };
  }
  return { kind: 'package', packageName, skillName };
}
