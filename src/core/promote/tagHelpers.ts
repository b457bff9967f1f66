import semver from 'semver';

/** `v1.2.3` → `v1.2`, `v1` (releases only: a pre-release never moves an alias). */
export function semverAliases(tag: string): string[] {
  const prefix = tag.startsWith('v') ? 'v' : '';
  const version = semver.valid(tag.slice(prefix.length));
  if (!version || semver.prerelease(version)) return [];
  return [`${prefix}${semver.major(version)}.${semver.minor(version)}`, `${prefix}${semver.major(version)}`];
}

/** `v1.2.3` → `v1.2.3-1732752000`: unique per promotion, so it can be immutable. */
export function timestampTag(tag: string, now = new Date()): string {
  return `${tag}-${Math.floor(now.getTime() / 1000)}`;
}

/** `feature/Login` + a commit → `feature-login-3f2a1bc` (a valid tag: lower case, [a-z0-9._-], at most 128). */
export function gitDevTag(branch: string, commit: string): string {
  const name = branch.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'branch';
  return `${name.slice(0, 120)}-${commit.slice(0, 7)}`;
}
