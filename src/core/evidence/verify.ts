import { isDigest, referrersTag } from '../registry/digest';
import { RegistryError } from '../registry/errors';
import { attachmentKind } from '../registry/inspect';
import { object, objects, text } from '../reports/json';
import type { Json } from '../reports/json';
import type { Descriptor, RegistryBackend } from '../registry/types';
import { signingKey } from './keys';
import type { TrustedKey } from './keys';

// Offline verification of the evidence attached to an image: cosign signatures (`sha256-<hex>.sig`
// tags) and DSSE attestations (`.att` tags, or DSSE envelopes as referrers), checked against the
// policy's public keys with node:crypto. Nothing but the registry holding the image is asked.

export const COSIGN_SIGNATURE_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
const COSIGN_PAYLOAD_TYPE = 'cosign container image signature';
const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const DSSE_ENVELOPE_TYPE = 'application/vnd.dsse.envelope.v1+json';
const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';

export interface VerificationPolicy {
  readonly keys: readonly TrustedKey[];
  /** Valid signatures needed, each from a distinct key (default 1). */
  readonly threshold?: number;
}

export interface SignatureVerdict {
  readonly verified: boolean;
  readonly reason: string;
  readonly kind: 'cosign';
  /** Where it was found: the tag and the layer. */
  readonly source: string;
  /** The trusted key's id (SHA-256 of its public key) when it verified. */
  readonly keyId?: string;
}

export interface AttestationVerdict {
  readonly verified: boolean;
  readonly reason: string;
  readonly predicateType?: string;
  readonly source: string;
  readonly keyId?: string;
  /** The in-toto predicate of a statement about this image, signed or not (provenance gates read it; "signed" asks `verified`). */
  readonly predicate?: Json;
}

export interface ImageVerification {
  readonly verified: boolean;
  readonly digest: string;
  readonly reason: string;
  readonly signatures: readonly SignatureVerdict[];
  readonly attestations: readonly AttestationVerdict[];
}

const short = (digest: string) => `${digest.slice(0, 19)}…`;

function parseJson(bytes: Buffer): Json | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Json : undefined;
  } catch {
    return undefined;
  }
}

/** One layer of a cosign `.sig` manifest: the payload blob must name this image and be signed by a trusted key. */
async function verifyCosignLayer(backend: RegistryBackend, repository: string, digest: string, layer: Descriptor, source: string, keys: readonly TrustedKey[]): Promise<SignatureVerdict> {
  const base = { kind: 'cosign' as const, source };
  if (layer.mediaType !== COSIGN_SIGNATURE_TYPE) return { ...base, verified: false, reason: `not a cosign signature layer (${layer.mediaType})` };
  const signatureText = layer.annotations?.[SIGNATURE_ANNOTATION];
  if (!signatureText) return { ...base, verified: false, reason: `the layer carries no ${SIGNATURE_ANNOTATION} annotation` };
  // The blob is checked against the layer's digest by the backend: a payload altered in the registry fails here.
  let payload: Buffer;
  try {
    payload = await backend.getBlob(repository, layer.digest);
  } catch (error) {
    return { ...base, verified: false, reason: `its payload cannot be read: ${(error as Error).message}` };
  }
  const critical = object(parseJson(payload)?.critical);
  if (text(critical.type) !== COSIGN_PAYLOAD_TYPE) return { ...base, verified: false, reason: `the payload is not a cosign container image signature (type ${JSON.stringify(text(critical.type) ?? null)})` };
  const named = text(object(critical.image)['docker-manifest-digest']);
  if (named !== digest) return { ...base, verified: false, reason: `the payload names ${named && isDigest(named) ? short(named) : JSON.stringify(named ?? null)}, not this image (${short(digest)})` };
  if (keys.length === 0) return { ...base, verified: false, reason: 'present, not verified (no key is configured)' };
  const key = signingKey(keys, payload, Buffer.from(signatureText, 'base64'));
  return key
    ? { ...base, verified: true, reason: `signed by ${key.label}`, keyId: key.id }
    : { ...base, verified: false, reason: `does not verify with any of the ${keys.length} configured key(s): signed by another key, or altered` };
}

/** DSSE's pre-authentication encoding: what the signature covers. */
function preAuthenticationEncoding(payloadType: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `), payload]);
}

/** A DSSE envelope holding an in-toto statement: signed by a trusted key over PAE, its subject this image. */
export function verifyEnvelope(envelope: Json | undefined, digest: string, source: string, keys: readonly TrustedKey[]): AttestationVerdict {
  const payloadType = text(envelope?.payloadType);
  const payloadText = text(envelope?.payload);
  if (!envelope || !payloadType || !payloadText) return { verified: false, reason: 'not a DSSE envelope', source };
  const payload = Buffer.from(payloadText, 'base64');
  const statement = payloadType === IN_TOTO_PAYLOAD ? parseJson(payload) : undefined;
  if (!statement) return { verified: false, reason: `the payload is not an in-toto statement (${payloadType})`, source };
  const predicateType = text(statement.predicateType);
  const base = { source, ...(predicateType ? { predicateType } : {}) };
  const [algorithm, hex] = digest.split(':');
  const subjects = objects(statement.subject);
  if (!subjects.some((subject) => text(object(subject.digest)[algorithm!]) === hex)) {
    const named = subjects.map((subject) => text(object(subject.digest).sha256)).filter(Boolean).map((value) => `sha256:${value!.slice(0, 12)}…`);
    return { ...base, verified: false, reason: `the statement's subject is ${named.join(', ') || 'nothing'}, not this image (${short(digest)})` };
  }
  const about = { ...base, predicate: object(statement.predicate) };
  if (keys.length === 0) return { ...about, verified: false, reason: 'present, not verified (no key is configured)' };
  const signed = preAuthenticationEncoding(payloadType, payload);
  for (const signature of objects(envelope.signatures)) {
    const key = signingKey(keys, signed, Buffer.from(text(signature.sig) ?? '', 'base64'));
    if (key) return { ...about, verified: true, reason: `signed by ${key.label}`, keyId: key.id };
  }
  return { ...about, verified: false, reason: `no signature of the envelope verifies with the ${keys.length} configured key(s)` };
}

/** The layers of a manifest, or undefined when there is none under that reference (404). */
async function layersIfPresent(backend: RegistryBackend, repository: string, reference: string): Promise<readonly Descriptor[] | undefined> {
  try {
    return (await backend.getManifest(repository, reference)).json.layers ?? [];
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Verifies an image's signatures and attestations against a policy. The image is verified when at
 * least `threshold` signatures verify, each by a distinct trusted key (two by one key count once).
 */
export async function verifyImage(backend: RegistryBackend, repository: string, digest: string, policy: VerificationPolicy): Promise<ImageVerification> {
  const prefix = referrersTag(digest);
  // The cosign tags are asked for directly (a 404 is "none"), at once with the referrers: a repository's tag list can be long.
  const [signatureLayers, attestationLayers, referrers] = await Promise.all([
    layersIfPresent(backend, repository, `${prefix}.sig`), layersIfPresent(backend, repository, `${prefix}.att`), backend.referrers(repository, digest),
  ]);
  const signatures = await Promise.all((signatureLayers ?? []).map((layer, index) => verifyCosignLayer(backend, repository, digest, layer, `${prefix}.sig layer ${index + 1}`, policy.keys)));
  const envelopeManifests: { layers: readonly Descriptor[]; label: string }[] = attestationLayers ? [{ layers: attestationLayers, label: `${prefix}.att` }] : [];
  for (const referrer of referrers) {
    if (!/dsse|in-toto/.test(referrer.artifactType ?? '') && attachmentKind(referrer.artifactType ?? referrer.mediaType) !== 'attestation') continue;
    const layers = await layersIfPresent(backend, repository, referrer.digest);
    if (layers) envelopeManifests.push({ layers, label: `referrer ${short(referrer.digest)}` });
  }
  const attestations: AttestationVerdict[] = [];
  for (const { layers, label } of envelopeManifests) {
    for (const [index, layer] of layers.entries()) {
      if (layer.mediaType !== DSSE_ENVELOPE_TYPE && !/dsse/.test(layer.mediaType)) continue;
      const envelope = parseJson(await backend.getBlob(repository, layer.digest));
      attestations.push(verifyEnvelope(envelope, digest, `${label} layer ${index + 1}`, policy.keys));
    }
  }
  const threshold = Math.max(1, policy.threshold ?? 1);
  const keysThatSigned = new Set(signatures.filter((signature) => signature.verified).map((signature) => signature.keyId));
  const verified = keysThatSigned.size >= threshold;
  const reason = signatures.length === 0
    ? 'no signature is attached'
    : verified
      ? `${keysThatSigned.size} of the required ${threshold} distinct key(s) signed it`
      : policy.keys.length === 0
        ? `${signatures.length} signature(s) present, not verified (no key is configured)`
        : `${keysThatSigned.size} distinct trusted key(s) signed it, ${threshold} required`;
  return { verified, digest, reason, signatures, attestations };
}
