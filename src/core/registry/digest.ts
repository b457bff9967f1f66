import { createHash } from 'node:crypto';

export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Verifies content against a digest (sha256 or sha512); throws on a mismatch. */
export function verifyDigest(bytes: Buffer, digest: string, what: string): void {
  const [algorithm, hex] = digest.split(':');
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return;
  const actual = createHash(algorithm).update(bytes).digest('hex');
  if (actual !== hex) throw new Error(`${what} does not match its digest ${digest} (got ${algorithm}:${actual})`);
}

/** The fallback tag the OCI distribution spec uses for referrers of a digest: `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}
