import { provenanceFacts, SLSA_PROVENANCE } from '../promote/evidenceGates';
import { attachmentContent, attachmentsOf } from '../registry/inspect';
import type { Attachment } from '../registry/inspect';
import { object, text } from '../reports/json';
import type { Json } from '../reports/json';
import type { ManifestJson, RegistryBackend } from '../registry/types';
import { referrersTag } from '../registry/digest';
import { isAttestationManifest } from '../registry/inspect';
import type { ImageMetadata } from './query';

function parsed(bytes: Buffer | string): Json | undefined {
  try {
    const value: unknown = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Json : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The in-toto statement an attestation layer holds, in the three shapes tools write: a plain
 * statement (BuildKit), a DSSE envelope (`cosign attest` `.att` layers, DSSE referrers) or a
 * sigstore bundle with a DSSE envelope. Read, not verified: a find says what is attached.
 */
export function statementIn(content: Buffer): Json | undefined {
  const json = parsed(content);
  if (!json) return undefined;
  if (text(json.predicateType)) return json;
  const envelope = text(json.payload) ? json : object(json.dsseEnvelope);
  const payload = text(envelope.payload);
  return payload ? parsed(Buffer.from(payload, 'base64')) : undefined;
}

/** Whether the image may carry attestations, judged from what is already read: no request per image on a registry without them. */
export function mayHaveAttestations(backend: RegistryBackend, digest: string, tags: ReadonlySet<string>, index: ManifestJson | undefined): boolean {
  if ((index?.manifests ?? []).some(isAttestationManifest)) return true;
  const fallback = referrersTag(digest);
  if (tags.has(fallback) || tags.has(`${fallback}.att`)) return true;
  // A registry with a referrers API (or not asked yet, or a layout folder, where asking is a file read) must be asked.
  return (backend as { readonly referrersApiAvailable?: boolean }).referrersApiAvailable !== false;
}

/** SLSA provenance facts of every provenance attestation of the image (BuildKit, cosign `.att`, referrers). */
export async function provenanceOf(backend: RegistryBackend, repository: string, digest: string, tags: ReadonlySet<string>, index: ManifestJson | undefined, signal?: AbortSignal): Promise<ImageMetadata['provenance']> {
  const attachments = await attachmentsOf(backend, repository, digest, tags, signal, index);
  const candidates = attachments.filter((attachment) => attachment.kind === 'provenance' || attachment.kind === 'attestation');
  const facts: { sources: string[]; commits: string[]; where: string }[] = [];
  for (const attachment of candidates) {
    let statement: Json | undefined;
    try {
      statement = statementIn(await attachmentContent(backend, repository, attachment, signal));
    } catch {
      // An attestation that cannot be read says nothing; the image is matched on the rest.
      continue;
    }
    if (!statement || !SLSA_PROVENANCE.test(text(statement.predicateType) ?? '')) continue;
    facts.push({ ...provenanceFacts(object(statement.predicate)), where: `provenance ${whereFound(attachment)}, unverified` });
  }
  return facts;
}

function whereFound(attachment: Attachment): string {
  return attachment.via === 'buildkit' ? `BuildKit${attachment.platform ? ` ${attachment.platform}` : ''}` : attachment.via === 'cosign-tag' ? `cosign ${attachment.tag}` : `referrer ${attachment.digest.slice(0, 19)}`;
}
