import semver from 'semver';

// Ranges and versions repeat across a project (`^1.0.0` everywhere); parsing each string once keeps
// a warm re-resolve of a large project in the low milliseconds.
const ranges = new Map<string, semver.Range | null>();
const versions = new Map<string, semver.SemVer | null>();

/** The parsed range, or null when `text` is not a valid semver range. */
export function parseRange(text: string): semver.Range | null {
  let r = ranges.get(text);
  if (r === undefined) {
    try {
      r = new semver.Range(text);
    } catch {
      r = null;
    }
    if (ranges.size > 10_000) ranges.clear();
    ranges.set(text, r);
  }
  return r;
}

/** The parsed version, or null when `text` is not a valid semver version. */
export function parseVersion(text: string): semver.SemVer | null {
  let v = versions.get(text);
  if (v === undefined) {
    v = semver.valid(text) === null ? null : new semver.SemVer(text);
    if (versions.size > 10_000) versions.clear();
    versions.set(text, v);
  }
  return v;
}

/** `version` satisfies `range` (npm semantics: prereleases only when the range names one). */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  const r = parseRange(range);
  return v !== null && r !== null && r.test(v);
}

/** Some version satisfies both ranges. */
export function intersects(a: string, b: string): boolean {
  if (a === b) return true;
  const ra = parseRange(a);
  const rb = parseRange(b);
  return ra !== null && rb !== null && ra.intersects(rb);
}
