import type { TrustedKey } from '../evidence/keys';
import type { CertificateIdentity, SigstoreTrustedRoot } from '../evidence/sigstore';
import type { AttestationVerdict, ImageVerification, VerificationPolicy } from '../evidence/verify';
import { describeAttachment } from '../registry/inspect';
import type { Attachment } from '../registry/inspect';
import { object, objects, strings, text } from '../reports/json';
import type { Json } from '../reports/json';
import { readReport } from '../reports/readReport';
import { imageOfPurl } from '../reports/vex';

// The gates that verify evidence instead of counting attachments: signatures by trusted keys,
// SLSA provenance with conditions on its source, commit and builder, an SBOM that describes this image.

/** `signature: {keys, identities, trustedRoot, threshold}`: verified, not merely present. */
export interface SignatureGate {
  /** PEM public keys, relative to the config file's folder. */
  readonly keys?: readonly string[];
  /** Keyless signers: `{issuer, subject | subjectRegExp}` (RE2, the whole SAN). */
  readonly identities?: readonly CertificateIdentity[];
  /** A sigstore `trusted_root.json`, relative to the config file's folder (needed with identities). */
  readonly trustedRoot?: string;
  /** Valid signatures needed, each by a distinct key or identity (default 1). */
  readonly threshold?: number;
}

/** `provenance: {…}`: SLSA provenance (BuildKit's, or a DSSE attestation) and what it must say. */
export interface ProvenanceGate {
  /** The source repository it was built from (`https://github.com/example/app`). */
  readonly source?: string;
  readonly builder?: string;
  /** Its commit must equal the image's `org.opencontainers.image.revision` label when both exist. */
  readonly matchRevisionLabel?: boolean;
  /** A DSSE attestation signed by one of these keys (default: the signature gate's keys) must carry it. */
  readonly signed?: boolean;
  readonly keys?: readonly string[];
}

export interface SbomGate {
  /** The SBOM's subject must be this digest or one of its platforms. */
  readonly describesImage?: boolean;
}

export interface EvidenceGateResult {
  readonly gate: 'sbom' | 'signature' | 'provenance';
  readonly pass: boolean;
  readonly detail: string;
}

export interface EvidenceAccess {
  readonly attachments: readonly Attachment[];
  readonly labels: Readonly<Record<string, string>>;
  readonly read: (attachment: Attachment) => Promise<Buffer>;
  /** The image's digests: the manifest or index and its platforms. */
  readonly digests?: readonly string[];
  /** Reads public keys a gate names (inside the config's folder). */
  readonly loadKeys?: (paths: readonly string[]) => Promise<TrustedKey[]>;
  /** Reads the sigstore trusted root a gate names (inside the config's folder). */
  readonly loadTrustedRoot?: (path: string) => Promise<SigstoreTrustedRoot>;
  /** Verifies the image's signatures and attestations with a policy. */
  readonly verify?: (policy: VerificationPolicy) => Promise<ImageVerification>;
}

export const SLSA_PROVENANCE = /^https:\/\/slsa\.dev\/provenance\//;

/** Verifies with the keys and identities a gate names; `attestations: false` when only its signatures are asked about. */
async function verification(access: EvidenceAccess, keyPaths: readonly string[], attestations: boolean, threshold?: number, keyless?: Pick<SignatureGate, 'identities' | 'trustedRoot'>): Promise<ImageVerification | string> {
  if (!access.verify || !access.loadKeys) return 'signatures cannot be verified here';
  const identities = keyless?.identities ?? [];
  if (identities.length > 0 && !keyless?.trustedRoot) return 'identities need a trustedRoot (a sigstore trusted_root.json) to verify keyless signatures against';
  if (keyless?.trustedRoot && !access.loadTrustedRoot) return 'keyless signatures cannot be verified here';
  try {
    const keys = await access.loadKeys(keyPaths);
    const trustedRoot = keyless?.trustedRoot ? await access.loadTrustedRoot!(keyless.trustedRoot) : undefined;
    return await access.verify({ keys, attestations, stopWhenVerified: !attestations, ...(identities.length > 0 ? { identities } : {}), ...(trustedRoot ? { trustedRoot } : {}), ...(threshold !== undefined ? { threshold } : {}) });
  } catch (error) {
    return (error as Error).message;
  }
}

/** `signature: true` counts what is attached ("present, not verified"); `signature: {keys | identities}` verifies it. */
export async function signatureGate(gate: true | SignatureGate, access: EvidenceAccess): Promise<EvidenceGateResult> {
  if (gate === true) {
    const signatures = access.attachments.filter((attachment) => attachment.kind === 'signature');
    const first = signatures[0];
    return first
      ? { gate: 'signature', pass: true, detail: `present, not verified (${first.via === 'cosign-tag' ? `cosign tag ${first.tag}` : first.artifactType ?? 'referrer'}); configure keys to verify it` }
      : { gate: 'signature', pass: false, detail: 'no signature is attached to the image (cosign sign, notation sign)' };
  }
  const result = await verification(access, gate.keys ?? [], false, gate.threshold, gate);
  if (typeof result === 'string') return { gate: 'signature', pass: false, detail: result };
  const each = result.signatures.map((signature, index) => `signature ${index + 1}: ${signature.reason}`);
  return { gate: 'signature', pass: result.verified, detail: [result.reason, ...each].join('; ') };
}

/** The provenance's source repository, commit and builder, from SLSA v0.2 or v1. */
export function provenanceFacts(predicate: Json): { sources: string[]; commits: string[]; builder?: string } {
  const invocation = object(predicate.invocation);
  const configSource = object(invocation.configSource);
  const buildDefinition = object(predicate.buildDefinition);
  const dependencies = [...objects(predicate.materials), ...objects(buildDefinition.resolvedDependencies)];
  const sources = [text(configSource.uri), ...dependencies.map((dependency) => text(dependency.uri))].filter((uri): uri is string => uri !== undefined);
  const digests = [object(configSource.digest), ...dependencies.map((dependency) => object(dependency.digest))];
  const commits = digests.flatMap((digest) => [text(digest.sha1), text(digest.gitCommit)]).filter((commit): commit is string => commit !== undefined);
  // BuildKit writes the VCS source into its metadata too.
  const vcs = object(object(object(predicate.metadata)['https://mobyproject.org/buildkit@v1#metadata']).vcs);
  if (text(vcs.source)) sources.push(text(vcs.source)!);
  if (text(vcs.revision)) commits.push(text(vcs.revision)!);
  const builder = text(object(predicate.builder).id) ?? text(object(object(predicate.runDetails).builder).id);
  return { sources, commits, ...(builder ? { builder } : {}) };
}

/** Hosts whose owner and repository names are case-insensitive. */
const CASE_INSENSITIVE_FORGES = /^https?:\/\/(www\.)?(github\.com|gitlab\.com)\//;

/** `git+https://GitHub.com/Example/app.git/` and `https://github.com/example/app` are one repository. */
export function sameSource(a: string, b: string): boolean {
  const normal = (uri: string) => {
    const bare = uri.trim().replace(/^git\+/, '').replace(/@[^/@]*$/, '').replace(/\/+$/, '').replace(/\.git$/, '').replace(/^([a-z]+:\/\/[^/]+)/i, (origin) => origin.toLowerCase());
    return CASE_INSENSITIVE_FORGES.test(bare) ? bare.toLowerCase() : bare;
  };
  return normal(a) === normal(b);
}

/** A full commit and its short form are the same commit (at least 7 hex characters). */
export const sameCommit = (a: string, b: string): boolean => a.length >= 7 && b.length >= 7 && (a.toLowerCase().startsWith(b.toLowerCase()) || b.toLowerCase().startsWith(a.toLowerCase()));

/** Why a provenance predicate does not satisfy the gate, or undefined when it does. */
function provenanceProblem(predicate: Json, gate: ProvenanceGate, labels: Readonly<Record<string, string>>): string | undefined {
  const facts = provenanceFacts(predicate);
  if (gate.source && !facts.sources.some((source) => sameSource(source, gate.source!))) return `built from ${facts.sources[0] ?? 'an unnamed source'}, not ${gate.source}`;
  if (gate.builder && facts.builder !== gate.builder) return `built by ${facts.builder ?? 'an unnamed builder'}, not ${gate.builder}`;
  const revision = labels['org.opencontainers.image.revision'];
  if (gate.matchRevisionLabel && revision && facts.commits.length > 0 && !facts.commits.some((commit) => sameCommit(commit, revision))) {
    return `built from commit ${facts.commits[0]}, but the image's revision label says ${revision}`;
  }
  return undefined;
}

/** Unsigned provenance BuildKit stores in the index (plain in-toto statements). */
async function buildkitProvenance(access: EvidenceAccess): Promise<{ predicate: Json; label: string }[]> {
  const found: { predicate: Json; label: string }[] = [];
  for (const attachment of access.attachments.filter((candidate) => candidate.kind === 'provenance')) {
    let statement: unknown;
    try {
      statement = JSON.parse((await access.read(attachment)).toString('utf8'));
    } catch {
      continue;
    }
    if (SLSA_PROVENANCE.test(text(object(statement).predicateType) ?? '')) found.push({ predicate: object(object(statement).predicate), label: `the provenance ${attachment.digest.slice(0, 19)}…` });
  }
  return found;
}

/** Provenance conditions; `signed` trusts the gate's own keys, else the signature gate's keys and keyless identities. */
export async function provenanceGate(gate: ProvenanceGate, signature: boolean | SignatureGate | undefined, access: EvidenceAccess): Promise<EvidenceGateResult> {
  const candidates: { predicate: Json; label: string; signed: boolean; reason?: string }[] = [];
  for (const unsigned of await buildkitProvenance(access)) candidates.push({ ...unsigned, signed: false, reason: 'unsigned (BuildKit provenance)' });
  const keyless = typeof signature === 'object' && !gate.keys ? signature : undefined;
  const keyPaths = gate.keys ?? (typeof signature === 'object' ? strings(signature.keys) : []);
  if (keyPaths.length > 0 || keyless?.identities?.length || gate.signed) {
    const result = await verification(access, keyPaths, true, undefined, keyless);
    if (typeof result === 'string') {
      if (gate.signed) return { gate: 'provenance', pass: false, detail: result };
    } else {
      for (const attestation of result.attestations.filter((candidate: AttestationVerdict) => SLSA_PROVENANCE.test(candidate.predicateType ?? '') && candidate.predicate)) {
        candidates.push({ predicate: attestation.predicate!, label: attestation.source, signed: attestation.verified, reason: attestation.reason });
      }
    }
  }
  if (candidates.length === 0) return { gate: 'provenance', pass: false, detail: 'no SLSA provenance is attached to the image (docker buildx build --provenance=true, cosign attest --type slsaprovenance)' };
  const problems: string[] = [];
  for (const candidate of candidates) {
    const problem = provenanceProblem(candidate.predicate, gate, access.labels) ?? (gate.signed && !candidate.signed ? `present, not signed by a trusted key (${candidate.reason})` : undefined);
    if (!problem) return { gate: 'provenance', pass: true, detail: `${candidate.label}: ${candidate.signed ? 'signed' : 'present'}${gate.source ? `, built from ${gate.source}` : ''}${gate.builder ? `, by ${gate.builder}` : ''}` };
    problems.push(`${candidate.label}: ${problem}`);
  }
  return { gate: 'provenance', pass: false, detail: problems.join('; ') };
}

/** What an SBOM says it describes: the digests its subject's purl names (CycloneDX `metadata.component`, SPDX root). */
function describedDigests(content: Buffer): string[] {
  const result = readReport(content.toString('utf8'));
  if (result.kind !== 'sbom') return [];
  const image = imageOfPurl(result.sbom.subjectPurl);
  return image ? [image.digest] : [];
}

export async function sbomGate(gate: true | SbomGate, access: EvidenceAccess): Promise<EvidenceGateResult> {
  const sboms = access.attachments.filter((attachment) => attachment.kind === 'sbom');
  if (sboms.length === 0) return { gate: 'sbom', pass: false, detail: 'no SBOM is attached to the image (Generate SBOM, then attach it)' };
  if (gate === true || !gate.describesImage) return { gate: 'sbom', pass: true, detail: `SBOM attached (${describeAttachment(sboms[0]!)})` };
  const digests = new Set(access.digests ?? []);
  const named: string[] = [];
  for (const attachment of sboms) {
    // BuildKit binds each SBOM to its platform manifest inside the index.
    if (attachment.via === 'buildkit') return { gate: 'sbom', pass: true, detail: `SBOM of ${attachment.platform ?? 'a platform'} (BuildKit attestation)` };
    const described = describedDigests(await access.read(attachment));
    if (described.some((digest) => digests.has(digest))) return { gate: 'sbom', pass: true, detail: `SBOM attached and describes this image (${describeAttachment(attachment)})` };
    named.push(...described);
  }
  return { gate: 'sbom', pass: false, detail: named.length > 0 ? `the attached SBOM(s) describe ${[...new Set(named)].map((digest) => `${digest.slice(0, 19)}…`).join(', ')}, not this image` : 'no attached SBOM names the image it describes (a subject with a pkg:oci purl)' };
}
