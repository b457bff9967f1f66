import { createHash } from 'node:crypto';

// The only digests we accept from anywhere (headers, manifests, layouts, users): they end up in
// URL and file paths, so nothing else may pass, and nothing is normalised after this check.
const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

/** A value from outside quoted for a message: short, with control characters escaped. */
export function quoted(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

/** Why `value` (from `source`, e.g. "the Docker-Content-Digest header") is refused, or undefined when it is a digest. */
export function digestProblem(value: unknown, source: string): string | undefined {
  return isDigest(value) ? undefined : `${source} is not a sha256 or sha512 digest: ${quoted(value)}`;
}

export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Verifies content against a digest (sha256 or sha512); throws on a mismatch or on any other digest. */
export function verifyDigest(bytes: Buffer, digest: string, what: string): void {
  const problem = digestProblem(digest, `the digest of ${what}`);
  if (problem) throw new Error(problem);
  const [algorithm, hex] = digest.split(':') as [string, string];
  const actual = createHash(algorithm).update(bytes).digest('hex');
  if (actual !== hex) throw new Error(`${what} does not match its digest ${digest} (got ${algorithm}:${actual})`);
}

/** The fallback tag the OCI distribution spec uses for referrers of a digest: `sha256-<hex>` (hex cut at 64, as the spec says). */
export function referrersTag(digest: string): string {
  const problem = digestProblem(digest, 'the subject');
  if (problem) throw new Error(problem);
  const [algorithm, hex] = digest.split(':') as [string, string];
  return `${algorithm}-${hex.slice(0, 64)}`;
}
