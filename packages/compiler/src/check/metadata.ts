import semver from 'semver';
import type { Check } from './context.js';

/** Lower-case words of letters and digits joined by `-` or `_` (also a safe output file name). */
const SKILL_NAME_PATTERN = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

/** `name` is a lower-case kebab/underscore identifier and `version` is semantic versioning. */
export const checkMetadata: Check = ({ skill, report }) => {
  const { name, version } = skill;
  if (typeof name === 'string' && (!SKILL_NAME_PATTERN.test(name) || name.length > 64)) {
    const suggestion = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[-0-9]+|-+$/g, '');
    report('SDL3006', ['name'], 'value', `skill name ${JSON.stringify(name)} must be lower-case letters and digits, words joined by \`-\` or \`_\` (at most 64 characters)`, suggestion && SKILL_NAME_PATTERN.test(suggestion) ? `use \`${suggestion}\`` : 'use a name like `support-reply`');
  }
  if (typeof version === 'string' && semver.valid(version) === null) {
    const coerced = semver.coerce(version)?.version;
    report('SDL3005', ['version'], 'value', `version ${JSON.stringify(version)} is not a semantic version (MAJOR.MINOR.PATCH)`, coerced ? `write \`version: ${coerced}\`` : 'write e.g. `version: 1.0.0`');
  }
};
