import type { ImageReference } from './parse';

/**
 * How far a reference can move under the user's feet, from worst to best.
 * `major-minor` is separate because it floats for SemVer projects but is a full version for some
 * (postgres `16.2`), so teams choose its severity.
 */
export type Mutability = 'untagged' | 'latest' | 'floating' | 'major-minor' | 'version' | 'digest';

/** Moving channel names used across official images and release pipelines. */
const CHANNEL_WORDS = new Set([
  'latest', 'stable', 'edge', 'nightly', 'main', 'master', 'dev', 'develop', 'development', 'lts',
  'current', 'beta', 'alpha', 'rc', 'canary', 'next', 'testing', 'unstable', 'release', 'snapshot', 'head', 'trunk',
]);

/** Variant and distribution words that tags combine with channels (`lts-alpine`, `stable-slim`). */
const VARIANT_WORD = /^(?:alpine|slim|bookworm|bullseye|buster|trixie|jammy|noble|focal|bionic|ubi|ubi\d*|minimal|distroless|windowsservercore|nanoserver|full|debian|ubuntu|fpm|cli|apache|perl|otp|jdk|jre)(?:\d+(?:\.\d+)*)?$/;

/** Leading number long enough to be a date or build number (`20240115`), which nobody re-pushes. */
const BUILD_NUMBER_DIGITS = 6;

/**
 * A revision or build number after the version: Bitnami's `-r50` (`12-debian-12-r50`), UBI's
 * release (`8.9-1160`, `9.8-1786985871`, `1-34.1599745032`), Alpine-style `_1` (`3.8_1`). Each
 * names one build, which is never re-pushed. Three digits or fewer (`9.8-123`) stay a variant.
 */
const BUILD_SUFFIX = /(?:-r\d+|-\d{4,}|-\d+\.\d{6,}|_\d+)$/;

function isChannelOrVariantTag(tag: string): boolean {
  return tag.toLowerCase().split(/[-_]/).every((word) => CHANNEL_WORDS.has(word) || VARIANT_WORD.test(word));
}

/**
 * A tag with no digit names a channel, an environment or a branch (`prod`, `feature-login`): it
 * moves. Hex strings that happen to have no digit (`deadbeef`) are commit ids and do not.
 */
function isNamedChannel(tag: string): boolean {
  return !/[0-9]/.test(tag) && !/^[a-f]{7,40}$/.test(tag);
}

/** Classifies a tag alone (no digest). */
export function classifyTag(tag: string): Exclude<Mutability, 'untagged' | 'digest'> {
  if (tag === 'latest') return 'latest';
  const lower = tag.toLowerCase();
  if (lower.endsWith('-latest') || lower.endsWith('-snapshot')) return 'floating';
  if (isChannelOrVariantTag(tag) || isNamedChannel(tag)) return 'floating';
  const version = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/.exec(tag);
  if (version) {
    const [, major, minor, patch, rest] = version as unknown as [string, string, string | undefined, string | undefined, string];
    // A suffix must start with a separator to be a variant (`20-alpine`); `3f2a1bc` is a git sha.
    const restIsVariant = rest === '' || /^[-_]/.test(rest);
    if (restIsVariant && major.length < BUILD_NUMBER_DIGITS && !BUILD_SUFFIX.test(rest)) {
      if (minor === undefined) return 'floating';
      if (patch === undefined) return 'major-minor';
    }
  }
  return 'version';
}

export function classifyReference(reference: ImageReference): Mutability {
  if (reference.digest) return 'digest';
  if (reference.tag === undefined) return 'untagged';
  return classifyTag(reference.tag);
}

const MUTABILITY_WORDS: Readonly<Record<Mutability, string>> = {
  untagged: 'no tag: pulls whatever `latest` points to at the time',
  latest: '`latest`: moves with every push',
  floating: 'a moving tag: the registry re-points it to new builds',
  'major-minor': 'a major.minor tag: moves with each patch release of SemVer projects',
  version: 'a specific version tag: stable by convention, but tags can still be re-pushed',
  digest: 'pinned by digest: immutable',
};

export function describeMutability(mutability: Mutability): string {
  return MUTABILITY_WORDS[mutability];
}
