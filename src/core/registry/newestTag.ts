import semver from 'semver';

const VERSIONED = /^(v?)(\d+(?:\.\d+){0,2})(.*)$/;

/** The variant a tag carries after its version, without the variant's own version: `-alpine3.19` → `-alpine`. */
function variantOf(suffix: string): string {
  return suffix.replace(/\d+(\.\d+)*$/, '');
}

/**
 * The highest full SemVer release among `tags` that keeps the variant of `current`
 * (`20-alpine` → `20.11.1-alpine3.19`, `latest` → `1.27.0`), newest first, for a quick pick.
 */
export function newerVersionTags(current: string, tags: readonly string[]): string[] {
  const currentMatch = VERSIONED.exec(current);
  const variant = variantOf(currentMatch ? currentMatch[3]! : '');
  const candidates = tags.flatMap((tag) => {
    const match = VERSIONED.exec(tag);
    if (!match) return [];
    const [, , version, suffix] = match as unknown as [string, string, string, string];
    // Full releases only: a major-only or major.minor tag floats, and -rc/-beta are not releases.
    const parsed = semver.parse(version, { loose: true });
    if (!parsed || version.split('.').length !== 3 || variantOf(suffix) !== variant || /^-?(rc|beta|alpha|dev|snapshot)/i.test(suffix)) return [];
    return [{ tag, parsed }];
  });
  return candidates.sort((a, b) => semver.rcompare(a.parsed, b.parsed) || a.tag.localeCompare(b.tag)).map((candidate) => candidate.tag);
}
