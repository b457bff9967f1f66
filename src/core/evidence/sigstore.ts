import { createHash } from 'node:crypto';
import { assertBundle, BUNDLE_V01_MEDIA_TYPE, bundleFromJSON } from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import type { TrustMaterial } from '@sigstore/verify';
import { compileUserRegex } from '../patterns/userPatterns';
import { readPolicyFile } from '../workspace/policyFiles';
import type { TrustedKey } from './keys';

// Keyless (and bundled-key) signatures checked with @sigstore/verify against a trusted root read
// from a file: the certificate chains to one of its CAs at the transparency log's integrated time,
// the log entry's signed timestamp (SET) or inclusion proof verifies with one of its logs' keys, and
// the entry is about this very signature. @sigstore/verify does no I/O: nothing here reaches the
// network, and no TUF update is attempted (the file is the whole trust).

/** A sigstore `trusted_root.json`, parsed. */
export interface SigstoreTrustedRoot {
  /** The file, as the policy names it. */
  readonly label: string;
  readonly material: TrustMaterial;
  /** CT logs it lists: when it lists any, a certificate must carry an SCT from one (as cosign requires). */
  readonly ctlogCount: number;
}

/** `{issuer, subject | subjectRegExp}`: who may have signed, as the certificate's OIDC issuer and SAN say. */
export interface CertificateIdentity {
  readonly issuer: string;
  /** The SAN, exactly (an email or a URI such as a workflow's `…/release.yml@refs/heads/main`). */
  readonly subject?: string;
  /** RE2 syntax; the whole SAN must match (cosign's regexp searches: anchor yours there). */
  readonly subjectRegExp?: string;
}

/** Who signed, from the certificate. */
export interface SignerIdentity {
  readonly subject: string;
  readonly issuer: string;
}

export function readTrustedRoot(content: string, label: string): SigstoreTrustedRoot {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    throw new Error(`trusted root ${label} is not JSON: ${(error as Error).message}`);
  }
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (typeof mediaType !== 'string' || !/^application\/vnd\.dev\.sigstore\.trustedroot(\.v\d+\.\d+)?\+json/.test(mediaType)) {
    throw new Error(`trusted root ${label} is not a sigstore trusted root (mediaType ${JSON.stringify(mediaType ?? null)}, expected application/vnd.dev.sigstore.trustedroot+json)`);
  }
  try {
    const root = TrustedRoot.fromJSON(json);
    if (root.certificateAuthorities.length === 0) throw new Error('it lists no certificate authority');
    if (root.tlogs.length === 0) throw new Error('it lists no transparency log');
    return { label, material: toTrustMaterial(root), ctlogCount: root.ctlogs.length };
  } catch (error) {
    throw new Error(`trusted root ${label} cannot be used: ${(error as Error).message}`);
  }
}

export async function loadTrustedRoot(path: string, base: string, inside?: string): Promise<SigstoreTrustedRoot> {
  const { label, content } = await readPolicyFile(path, base, 'trusted root', inside);
  return readTrustedRoot(content, label);
}

/** Compiles the identities of a policy (regexes on RE2); throws naming the one that cannot run. */
export function identityMatcher(identities: readonly CertificateIdentity[]): (signer: SignerIdentity) => boolean {
  const compiled = identities.map((identity) => {
    if (identity.subject === undefined && identity.subjectRegExp === undefined) throw new Error(`the identity with issuer ${identity.issuer} names neither a subject nor a subjectRegExp`);
    let regex;
    try {
      regex = identity.subjectRegExp === undefined ? undefined : compileUserRegex(identity.subjectRegExp);
    } catch (error) {
      throw new Error(`the certificate identity regexp ${JSON.stringify(identity.subjectRegExp)} ${(error as Error).message}`);
    }
    return (signer: SignerIdentity) => signer.issuer === identity.issuer
      && (identity.subject === undefined || signer.subject === identity.subject)
      && (regex === undefined || regex.testWhole(signer.subject));
  });
  return (signer) => compiled.some((matches) => matches(signer));
}

export const describeIdentity = (identity: SignerIdentity): string => `${identity.subject} (issuer ${identity.issuer})`;

export type BundleCheck =
  | { readonly ok: true; readonly identity: SignerIdentity }
  | { readonly ok: true; readonly key: TrustedKey }
  | { readonly ok: false; readonly reason: string };

const NO_TRUST: TrustMaterial = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [], publicKey: () => { throw new Error('no key'); } };

function failure(error: unknown): string {
  const { message, cause } = error as { message?: string; cause?: { message?: string } };
  return `${message ?? String(error)}${cause?.message ? ` (${cause.message})` : ''}`;
}

/** A bundle's JSON, parsed and checked for shape; a reason when it is not one. */
export function parseBundle(json: unknown): Bundle | string {
  try {
    const bundle = bundleFromJSON(json);
    assertBundle(bundle);
    return bundle;
  } catch (error) {
    const fields = (error as { fields?: string[] }).fields;
    return `not a valid sigstore bundle: ${(error as Error).message}${fields?.length ? ` (${fields.join(', ')})` : ''}`;
  }
}

/**
 * Verifies a bundle over `artifact` (for a message signature; a DSSE envelope carries its payload):
 * a certificate must chain to the trusted root at the log's time, a public key must be one of
 * `keys`. Exactly one transparency-log entry with a verifiable SET or inclusion proof is needed,
 * and a timestamp (the SET's integrated time or an RFC 3161 one). Identities are the caller's check.
 */
export function verifyBundle(bundle: Bundle, artifact: Buffer | undefined, root: SigstoreTrustedRoot | undefined, keys: readonly TrustedKey[]): BundleCheck {
  const options = { tlogThreshold: 1, ctlogThreshold: root && root.ctlogCount > 0 ? 1 : 0, timestampThreshold: 1 };
  const material = bundle.verificationMaterial.content;
  if (material.$case === 'publicKey') {
    if (keys.length === 0) return { ok: false, reason: 'signed by a public key, and no key is configured' };
    // As for cosign's key-signed .sig layers, the key is the trust: a log entry is checked when a
    // trusted root is given, not required. The key's hint names no file we know: each key is tried.
    const entity = toSignedEntity(bundle, artifact);
    const keyed = root ? entity : { ...entity, tlogEntries: [], timestamps: [] };
    const keyOptions = { ...options, tlogThreshold: 0, timestampThreshold: 0 };
    let last = '';
    for (const key of keys) {
      const trust: TrustMaterial = { ...(root?.material ?? NO_TRUST), publicKey: () => ({ publicKey: key.key, validFor: () => true }) };
      try {
        new Verifier(trust, keyOptions).verify(keyed);
        return { ok: true, key };
      } catch (error) {
        last = failure(error);
      }
    }
    return { ok: false, reason: `does not verify with any of the ${keys.length} configured key(s): ${last}` };
  }
  if (!root) return { ok: false, reason: 'keyless (a certificate), not verified: no trusted root is configured' };
  try {
    const signer = new Verifier(root.material, options).verify(toSignedEntity(bundle, artifact));
    const subject = signer.identity?.subjectAlternativeName;
    const issuer = signer.identity?.extensions?.issuer;
    if (!subject || !issuer) return { ok: false, reason: `the certificate names no ${subject ? 'OIDC issuer' : 'subject (SAN)'}` };
    return { ok: true, identity: { subject, issuer } };
  } catch (error) {
    return { ok: false, reason: `does not verify against ${root.label}: ${failure(error)}` };
  }
}

const COSIGN_CERTIFICATE = 'dev.sigstore.cosign/certificate';
const COSIGN_BUNDLE = 'dev.sigstore.cosign/bundle';

/** Whether a cosign `.sig` layer carries a Fulcio-style certificate (a keyless signature). */
export const hasCosignCertificate = (annotations: Readonly<Record<string, string>> | undefined): boolean => Boolean(annotations?.[COSIGN_CERTIFICATE]);

function pemToDer(pem: string): Buffer | undefined {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  return match ? Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64') : undefined;
}

/**
 * The bundle a legacy cosign `.sig` layer amounts to: its certificate annotation, the signature over
 * the payload, and the Rekor entry of `dev.sigstore.cosign/bundle` (`{SignedEntryTimestamp, Payload:
 * {body, integratedTime, logIndex, logID}}`). The chain annotation is not needed: trust comes from the root.
 */
export function cosignLayerBundle(annotations: Readonly<Record<string, string>>, payload: Buffer, signature: string): Bundle | string {
  const certificate = pemToDer(annotations[COSIGN_CERTIFICATE] ?? '');
  if (!certificate) return `the ${COSIGN_CERTIFICATE} annotation is not a PEM certificate`;
  const rekorText = annotations[COSIGN_BUNDLE];
  if (!rekorText) return `carries a certificate but no transparency-log entry (${COSIGN_BUNDLE}): a keyless signature cannot be verified without one`;
  let rekor: { SignedEntryTimestamp?: unknown; Payload?: { body?: unknown; integratedTime?: unknown; logIndex?: unknown; logID?: unknown } };
  let body: { kind?: unknown; apiVersion?: unknown };
  try {
    rekor = JSON.parse(rekorText) as typeof rekor;
    body = JSON.parse(Buffer.from(String(rekor.Payload?.body ?? ''), 'base64').toString('utf8')) as typeof body;
  } catch {
    return `the ${COSIGN_BUNDLE} annotation is not a Rekor bundle`;
  }
  const entry = rekor.Payload;
  if (typeof rekor.SignedEntryTimestamp !== 'string' || typeof entry?.logID !== 'string' || typeof body.kind !== 'string' || typeof body.apiVersion !== 'string') return `the ${COSIGN_BUNDLE} annotation is not a Rekor bundle`;
  return parseBundle({
    mediaType: BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial: {
      certificate: { rawBytes: certificate.toString('base64') },
      tlogEntries: [{
        logIndex: String(entry.logIndex), logId: { keyId: Buffer.from(entry.logID, 'hex').toString('base64') },
        kindVersion: { kind: body.kind, version: body.apiVersion }, integratedTime: String(entry.integratedTime),
        inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp }, canonicalizedBody: entry.body,
      }],
    },
    messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payload).digest('base64') }, signature },
  });
}
