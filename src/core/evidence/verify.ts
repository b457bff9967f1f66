import { isDigest, referrersTag } from '../registry/digest';
import { RegistryError } from '../registry/errors';
import { attachmentKind } from '../registry/inspect';
import type { Attachment } from '../registry/inspect';
import { object, objects, text } from '../reports/json';
import type { Json } from '../reports/json';
import type { Descriptor, RegistryBackend } from '../registry/types';
import { signingKey } from './keys';
import type { TrustedKey } from './keys';
import { cosignLayerBundle, describeIdentity, hasCosignCertificate, identityMatcher, parseBundle, verifyBundle } from './sigstore';
import type { CertificateIdentity, SignerIdentity, SigstoreTrustedRoot } from './sigstore';

// Offline verification of the evidence attached to an image: cosign signatures (`sha256-<hex>.sig`
// tags) and DSSE attestations (`.att` tags, or DSSE envelopes as referrers), checked against the
// policy's public keys with node:crypto; keyless ones (sigstore bundles as referrers, cosign layers
// with a certificate) with @sigstore/verify against a trusted root file and the policy's identities.
// Nothing but the registry holding the image is asked.

export const COSIGN_SIGNATURE_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
const COSIGN_PAYLOAD_TYPE = 'cosign container image signature';
const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const DSSE_ENVELOPE_TYPE = 'application/vnd.dsse.envelope.v1+json';
const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';
const SIGSTORE_BUNDLE = /sigstore\.bundle/;
const NOTATION_SIGNATURE = /notary|notation/;
/** The predicate `cosign sign` puts in a bundle's statement: a signature, not an attestation. */
const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

export interface VerificationPolicy {
  readonly keys: readonly TrustedKey[];
  /** Who may sign keyless: a signature counts when its certificate matches one. */
  readonly identities?: readonly CertificateIdentity[];
  /** The sigstore trusted root keyless signatures chain to (needed with identities). */
  readonly trustedRoot?: SigstoreTrustedRoot;
  /** Valid signatures needed, each from a distinct key or identity (default 1). */
  readonly threshold?: number;
  /** `false` when only signatures matter (a signature gate): the `.att` tag and DSSE referrers are not read. */
  readonly attestations?: boolean;
  /** Only the verdict matters (a gate): once the cosign signatures meet the threshold, the referrers are not read. */
  readonly stopWhenVerified?: boolean;
}

export interface SignatureVerdict {
  readonly verified: boolean;
  readonly reason: string;
  readonly kind: 'cosign' | 'sigstore-bundle' | 'notation';
  /** Where it was found: the tag and the layer, or the referrer. */
  readonly source: string;
  /** The trusted key's id (SHA-256 of its public key) when it verified. */
  readonly keyId?: string;
  /** Who signed, from a keyless signature's certificate (also when the policy does not trust them). */
  readonly identity?: SignerIdentity;
}

/** What a policy trusts, compiled once per image. */
interface Trust {
  readonly keys: readonly TrustedKey[];
  readonly root?: SigstoreTrustedRoot;
  readonly identities: number;
  readonly trusts: (signer: SignerIdentity) => boolean;
}

export interface AttestationVerdict {
  readonly verified: boolean;
  readonly reason: string;
  readonly predicateType?: string;
  readonly source: string;
  readonly keyId?: string;
  readonly identity?: SignerIdentity;
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
async function verifyCosignLayer(backend: RegistryBackend, repository: string, digest: string, layer: Descriptor, source: string, trust: Trust): Promise<SignatureVerdict> {
  const { keys } = trust;
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
  const key = signingKey(keys, payload, Buffer.from(signatureText, 'base64'));
  if (key) return { ...base, verified: true, reason: `signed by ${key.label}`, keyId: key.id };
  if (hasCosignCertificate(layer.annotations)) {
    const bundle = cosignLayerBundle(layer.annotations!, payload, signatureText);
    return { ...base, ...(typeof bundle === 'string' ? { verified: false, reason: bundle } : keylessVerdict(verifyBundle(bundle, payload, trust.root, []), trust)) };
  }
  if (keys.length === 0) return { ...base, verified: false, reason: 'present, not verified (no key is configured)' };
  return { ...base, verified: false, reason: `does not verify with any of the ${keys.length} configured key(s): signed by another key, or altered` };
}

/** A checked bundle's verdict: a certificate counts only when its identity is one the policy trusts. */
function keylessVerdict(check: ReturnType<typeof verifyBundle>, trust: Trust): { verified: boolean; reason: string; keyId?: string; identity?: SignerIdentity } {
  if (!check.ok) return { verified: false, reason: check.reason };
  if ('key' in check) return { verified: true, reason: `signed by ${check.key.label}`, keyId: check.key.id };
  const { identity } = check;
  if (trust.identities === 0) return { verified: false, reason: `signed by ${describeIdentity(identity)}; not verified: no certificate identity is configured`, identity };
  return trust.trusts(identity)
    ? { verified: true, reason: `signed by ${describeIdentity(identity)}`, identity }
    : { verified: false, reason: `signed by ${describeIdentity(identity)}, not an identity the policy trusts`, identity };
}

/** Why an in-toto statement is not about `digest`, or undefined when one of its subjects is. */
function subjectProblem(statement: Json, digest: string): string | undefined {
  const [algorithm, hex] = digest.split(':');
  const subjects = objects(statement.subject);
  if (subjects.some((subject) => text(object(subject.digest)[algorithm!]) === hex)) return undefined;
  const named = subjects.map((subject) => text(object(subject.digest).sha256)).filter(Boolean).map((value) => `sha256:${value!.slice(0, 12)}…`);
  return `the statement's subject is ${named.join(', ') || 'nothing'}, not this image (${short(digest)})`;
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
  const elsewhere = subjectProblem(statement, digest);
  if (elsewhere) return { ...base, verified: false, reason: elsewhere };
  const about = { ...base, predicate: object(statement.predicate) };
  if (keys.length === 0) return { ...about, verified: false, reason: 'present, not verified (no key is configured)' };
  const signed = preAuthenticationEncoding(payloadType, payload);
  for (const signature of objects(envelope.signatures)) {
    const key = signingKey(keys, signed, Buffer.from(text(signature.sig) ?? '', 'base64'));
    if (key) return { ...about, verified: true, reason: `signed by ${key.label}`, keyId: key.id };
  }
  return { ...about, verified: false, reason: `no signature of the envelope verifies with the ${keys.length} configured key(s)` };
}

/**
 * A sigstore bundle attached as a referrer (cosign's bundle spec): a DSSE envelope whose in-toto
 * statement names this image (`cosign sign` writes predicate `https://sigstore.dev/cosign/sign/v1`; another predicate
 * makes it an attestation), or a message signature over this very manifest.
 */
async function verifyBundleReferrer(backend: RegistryBackend, repository: string, digest: string, referrer: Descriptor, trust: Trust, found: { signatures: SignatureVerdict[]; attestations: AttestationVerdict[] }): Promise<void> {
  const label = `referrer ${short(referrer.digest)}`;
  const unreadable = (error: unknown) => found.signatures.push({ kind: 'sigstore-bundle', source: label, verified: false, reason: `cannot be read: ${(error as Error).message}` });
  let manifest;
  try {
    manifest = (await backend.getManifest(repository, referrer.digest)).json;
  } catch (error) {
    unreadable(error);
    return;
  }
  // Some cosign versions name the wrong artifactType in the index: the manifest and its layers decide.
  const bundleArtifact = SIGSTORE_BUNDLE.test(manifest.artifactType ?? manifest.config?.mediaType ?? '');
  for (const [index, layer] of (manifest.layers ?? []).entries()) {
    if (!SIGSTORE_BUNDLE.test(layer.mediaType) && !bundleArtifact) continue;
    const source = `${label} layer ${index + 1}`;
    const signature = (verdict: { verified: boolean; reason: string }) => found.signatures.push({ kind: 'sigstore-bundle', source, ...verdict });
    let bundle;
    try {
      bundle = parseBundle(JSON.parse((await backend.getBlob(repository, layer.digest)).toString('utf8')));
    } catch (error) {
      signature({ verified: false, reason: error instanceof SyntaxError ? 'not a sigstore bundle (not JSON)' : `cannot be read: ${(error as Error).message}` });
      continue;
    }
    if (typeof bundle === 'string') {
      signature({ verified: false, reason: bundle });
      continue;
    }
    if (bundle.content.$case === 'dsseEnvelope') {
      const envelope = bundle.content.dsseEnvelope;
      const statement = envelope.payloadType === IN_TOTO_PAYLOAD ? parseJson(envelope.payload) : undefined;
      if (!statement) {
        signature({ verified: false, reason: `the bundle's envelope is not an in-toto statement (${envelope.payloadType})` });
        continue;
      }
      const predicateType = text(statement.predicateType);
      const elsewhere = subjectProblem(statement, digest);
      const verdict = elsewhere ? { verified: false, reason: elsewhere } : keylessVerdict(verifyBundle(bundle, undefined, trust.root, trust.keys), trust);
      if (!predicateType || predicateType === COSIGN_SIGN_PREDICATE) signature(verdict);
      else found.attestations.push({ source, predicateType, ...(elsewhere ? {} : { predicate: object(statement.predicate) }), ...verdict });
      continue;
    }
    const signed = bundle.content.messageSignature.messageDigest?.digest;
    const named = signed ? `sha256:${signed.toString('hex')}` : undefined;
    if (named !== digest) {
      signature({ verified: false, reason: `the bundle signs ${named ? short(named) : 'no digest'}, not this image (${short(digest)})` });
      continue;
    }
    let artifact: Buffer;
    try {
      artifact = (await backend.getManifest(repository, digest)).bytes;
    } catch (error) {
      signature({ verified: false, reason: `the image's manifest cannot be read: ${(error as Error).message}` });
      continue;
    }
    signature(keylessVerdict(verifyBundle(bundle, artifact, trust.root, trust.keys), trust));
  }
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
 * least `threshold` signatures verify, each by a distinct trusted key or identity (two by one key
 * or one identity count once). Throws when an identity's regexp cannot run on RE2.
 */
export async function verifyImage(backend: RegistryBackend, repository: string, digest: string, policy: VerificationPolicy): Promise<ImageVerification> {
  const identities = policy.identities ?? [];
  const trust: Trust = { keys: policy.keys, identities: identities.length, trusts: identityMatcher(identities), ...(policy.trustedRoot ? { root: policy.trustedRoot } : {}) };
  const prefix = referrersTag(digest);
  const threshold = Math.max(1, policy.threshold ?? 1);
  // The cosign tags are asked for directly (a 404 is "none"), at once with the referrers: a repository's tag list can be long.
  const cosignSignatures = layersIfPresent(backend, repository, `${prefix}.sig`).then((layers) => Promise.all((layers ?? []).map((layer, index) => verifyCosignLayer(backend, repository, digest, layer, `${prefix}.sig layer ${index + 1}`, trust))));
  const enough = policy.stopWhenVerified && distinctSigners(await cosignSignatures).size >= threshold;
  const [signatures, attestationLayers, referrers] = await Promise.all([
    cosignSignatures,
    policy.attestations === false ? undefined : layersIfPresent(backend, repository, `${prefix}.att`),
    enough ? [] : backend.referrers(repository, digest),
  ]);
  const envelopeManifests: { layers: readonly Descriptor[]; label: string }[] = attestationLayers ? [{ layers: attestationLayers, label: `${prefix}.att` }] : [];
  const attestations: AttestationVerdict[] = [];
  const bundles: Descriptor[] = [];
  for (const referrer of referrers) {
    const type = referrer.artifactType ?? referrer.mediaType;
    const kind = attachmentKind(type);
    if (NOTATION_SIGNATURE.test(type)) {
      signatures.push({ kind: 'notation', source: `referrer ${short(referrer.digest)}`, verified: false, reason: 'not supported yet (notation)' });
    } else if (/dsse|in-toto/.test(referrer.artifactType ?? '') || kind === 'attestation') {
      if (policy.attestations === false) continue;
      const layers = await layersIfPresent(backend, repository, referrer.digest);
      if (layers) envelopeManifests.push({ layers, label: `referrer ${short(referrer.digest)}` });
    } else if (SIGSTORE_BUNDLE.test(type) || kind === 'signature' || kind === 'artifact') {
      // Bundles, and artifacts that may be bundles under another artifactType.
      bundles.push(referrer);
    }
  }
  for (const referrer of bundles) await verifyBundleReferrer(backend, repository, digest, referrer, trust, { signatures, attestations });
  for (const { layers, label } of envelopeManifests) {
    for (const [index, layer] of layers.entries()) {
      if (layer.mediaType !== DSSE_ENVELOPE_TYPE && !/dsse/.test(layer.mediaType)) continue;
      const envelope = parseJson(await backend.getBlob(repository, layer.digest));
      attestations.push(verifyEnvelope(envelope, digest, `${label} layer ${index + 1}`, policy.keys));
    }
  }
  const signers = distinctSigners(signatures);
  const verified = signers.size >= threshold;
  const unit = trust.identities > 0 ? 'distinct key(s) or identities' : 'distinct key(s)';
  const reason = signatures.length === 0
    ? 'no signature is attached'
    : verified
      ? `${signers.size} of the required ${threshold} ${unit} signed it`
      : policy.keys.length === 0 && trust.identities === 0
        ? `${signatures.length} signature(s) present, not verified (no key or certificate identity is configured)`
        : `${signers.size} ${unit.replace('distinct ', 'distinct trusted ')} signed it, ${threshold} required`;
  return { verified, digest, reason, signatures, attestations };
}

/** Who signed, once each: two signatures by one key, or by one identity (issuer and subject), count once. */
function distinctSigners(signatures: readonly SignatureVerdict[]): Set<string> {
  return new Set(signatures.filter((signature) => signature.verified).map((signature) => (signature.keyId ? `key ${signature.keyId}` : `identity ${signature.identity?.issuer} ${signature.identity?.subject}`)));
}

export type SignatureStatus = 'verified' | 'invalid' | 'unverified';

/**
 * What the verification says of one signature attachment (a cosign `.sig` tag or a referrer):
 * verified when one of its signatures verified, invalid when it was checked and none did,
 * unverified when nothing was checked (no keys or identities configured, or not a signature we read).
 */
export function signatureStatus(attachment: Pick<Attachment, 'digest' | 'tag'>, verification: ImageVerification | undefined): SignatureStatus {
  if (!verification) return 'unverified';
  const from = verification.signatures.filter((signature) => (attachment.tag ? signature.source.startsWith(`${attachment.tag} `) : signature.source === `referrer ${short(attachment.digest)}`));
  if (from.some((signature) => signature.verified)) return 'verified';
  const checked = from.filter((signature) => signature.kind !== 'notation' && !/^present, not verified/.test(signature.reason));
  return checked.length > 0 ? 'invalid' : 'unverified';
}
