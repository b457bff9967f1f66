import semver from 'semver';
import { mapLimited } from '../concurrency';
import { tagDetails } from './explorer';
import type { RegistryBackend } from './types';

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

/** A release offered in the version picker: what it is, how old, and whether `latest` is it. */
export interface VersionChoice {
  readonly tag: string;
  readonly digest?: string;
  readonly created?: string;
  /** `latest` points at the same digest now. */
  readonly isLatest: boolean;
}

/**
 * The releases offered (`newerVersionTags`) with digest and age for the newest `limit` (their
 * manifest and config, four at a time) and which of them `latest` points at (one HEAD).
 */
export async function versionChoices(backend: RegistryBackend, repository: string, offered: readonly string[], tags: readonly string[], limit = 20): Promise<VersionChoice[]> {
  const [latest, details] = await Promise.all([
    tags.includes('latest') ? backend.resolve(repository, 'latest').then((descriptor) => descriptor.digest, () => undefined) : undefined,
    mapLimited(offered.slice(0, limit), 4, (tag) => tagDetails(backend, repository, tag).catch(() => undefined)),
  ]);
  return offered.map((tag, index) => {
    const known = details[index];
    return { tag, ...(known ? { digest: known.digest } : {}), ...(known?.created ? { created: known.created } : {}), isLatest: latest !== undefined && known?.digest === latest };
  });
}
