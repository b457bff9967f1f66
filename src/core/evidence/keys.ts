import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readPolicyFile } from '../workspace/policyFiles';

/** A public key a policy trusts: ECDSA P-256/P-384, RSA or Ed25519, from PEM. */
export interface TrustedKey {
  /** SHA-256 of the key's SubjectPublicKeyInfo, hex: the same key has the same id whatever file it came from. */
  readonly id: string;
  /** Where the key came from, for messages (`keys/release.pub`). */
  readonly label: string;
  readonly key: KeyObject;
}

export function readPublicKey(pem: string, label: string): TrustedKey {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new Error(`${label} is not a PEM public key: ${(error as Error).message}`);
  }
  const type = key.asymmetricKeyType;
  if (type !== 'ec' && type !== 'rsa' && type !== 'rsa-pss' && type !== 'ed25519') throw new Error(`${label}: ${type ?? 'this'} keys are not supported (ECDSA, RSA or Ed25519 are)`);
  const id = createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');
  return { id, label, key };
}

/**
 * Whether `signature` over `data` verifies with `key`, the way cosign signs: ECDSA and RSA over
 * SHA-256 of the data (ECDSA signatures DER-encoded, RSA PKCS#1 v1.5), Ed25519 over the data itself.
 */
export function verifiesWith(key: TrustedKey, data: Buffer, signature: Buffer): boolean {
  try {
    const algorithm = key.key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    return verify(algorithm, data, key.key, signature);
  } catch {
    // A malformed signature (wrong length, not DER) is a signature that does not verify.
    return false;
  }
}

/** The first trusted key the signature verifies with. */
export function signingKey(keys: readonly TrustedKey[], data: Buffer, signature: Buffer): TrustedKey | undefined {
  return keys.find((key) => verifiesWith(key, data, signature));
}

/** Public keys from PEM files: a config's (read `inside` its folder) or the command line's. */
export async function loadKeyFiles(paths: readonly string[], base: string, inside?: string): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = [];
  for (const path of paths) {
    const { label, content } = await readPolicyFile(path, base, 'public key', inside);
    keys.push(readPublicKey(content, label));
  }
  return keys;
}
