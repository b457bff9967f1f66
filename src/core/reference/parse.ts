// The distribution/reference grammar (github.com/distribution/reference, regexp.go), with the
// normalisation rules of ParseNormalizedNamed. One parser for every file kind.

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6Address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6Address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const anchoredDomain = new RegExp(`^${domainAndPort}$`);
const anchoredPath = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const anchoredTag = new RegExp(`^${tagPattern}$`);
const anchoredDigest = new RegExp(`^${digestPattern}$`);
const anchoredHexIdentifier = /^[a-f0-9]{64}$/;

export const NAME_TOTAL_LENGTH_MAX = 255;

/** A repository path inside a registry (`team/app`), by the reference grammar: safe in a URL path. */
export function isRepositoryPath(value: unknown): value is string {
  return typeof value === 'string' && value.length <= NAME_TOTAL_LENGTH_MAX && anchoredPath.test(value);
}

/** A tag by the reference grammar (`[\w][\w.-]{0,127}`): safe in a URL path. */
export function isTag(value: unknown): value is string {
  return typeof value === 'string' && anchoredTag.test(value);
}
export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';

const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

export interface ImageReference {
  /** The text as written (after variable resolution). */
  readonly original: string;
  /** Registry host with optional port, normalised (`docker.io` when none was written). */
  readonly domain: string;
  /** Repository path inside the registry, normalised (`library/nginx`). */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
  /** True when the text named no registry and `docker.io` was implied. */
  readonly domainImplied: boolean;
}

export type ParseResult =
  | { readonly ok: true; readonly reference: ImageReference }
  | { readonly ok: false; readonly error: string };

/** Full name `domain/path`, as `docker pull` would resolve it. */
export function fullName(reference: ImageReference): string {
  return `${reference.domain}/${reference.path}`;
}

/** The canonical string: `docker.io/library/nginx:1.2@sha256:…`. */
export function canonicalString(reference: ImageReference): string {
  return fullName(reference) + (reference.tag ? `:${reference.tag}` : '') + (reference.digest ? `@${reference.digest}` : '');
}

function failure(error: string): ParseResult {
  return { ok: false, error };
}

/** Splits `name[:tag][@digest]`; the tag colon is the last one after the final slash. */
function splitReference(text: string): { name: string; tag?: string; digest?: string } {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

/** A first component is a registry only if it has a `.` or `:`, is `localhost`, or is an IPv6 literal. */
function splitDomain(name: string): { domain: string; remote: string; implied: boolean } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remote: OFFICIAL_REPO_PREFIX + name, implied: true };
  const first = name.slice(0, slash);
  const isDomain = first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[');
  if (!isDomain) return { domain: DEFAULT_DOMAIN, remote: name, implied: true };
  let domain = first;
  let remote = name.slice(slash + 1);
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remote.includes('/')) remote = OFFICIAL_REPO_PREFIX + remote;
  return { domain, remote, implied: false };
}

function digestError(digest: string): string | undefined {
  if (!anchoredDigest.test(digest)) return `invalid digest "${digest}" (expected algorithm:hex)`;
  const [algorithm, hex] = digest.split(':') as [string, string];
  const expected = DIGEST_HEX_LENGTH[algorithm];
  if (expected === undefined) return `unsupported digest algorithm "${algorithm}"`;
  if (hex.length !== expected) return `invalid ${algorithm} digest length ${hex.length} (expected ${expected} hex characters)`;
  if (hex !== hex.toLowerCase()) return `digest hex must be lower case`;
  return undefined;
}

/** Parses an image reference as `docker pull` does (ParseNormalizedNamed). */
export function parseReference(text: string): ParseResult {
  if (text.length === 0) return failure('empty reference');
  if (/\s/.test(text)) return failure('reference contains white space');
  const { name, tag, digest } = splitReference(text);
  if (name.length === 0) return failure('missing repository name');
  if (anchoredHexIdentifier.test(name)) return failure('repository name must not be a 64-character hex image id');
  const { domain, remote, implied } = splitDomain(name);
  if (!implied && !anchoredDomain.test(domain)) return failure(`invalid registry host "${domain}"`);
  if (remote !== remote.toLowerCase()) return failure('repository name must be lowercase');
  if (!anchoredPath.test(remote)) return failure(`invalid repository name "${remote}"`);
  // The length limit applies to the name as written (distribution's Parse), before normalisation.
  if (name.length > NAME_TOTAL_LENGTH_MAX) return failure(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  if (tag !== undefined && !anchoredTag.test(tag)) {
    return failure(tag.length > 128 ? 'tag is longer than 128 characters' : `invalid tag "${tag}"`);
  }
  if (digest !== undefined) {
    const error = digestError(digest);
    if (error) return failure(error);
  }
  return {
    ok: true,
    reference: { original: text, domain, path: remote, tag, digest, domainImplied: implied },
  };
}
