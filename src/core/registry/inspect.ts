import { mapLimited } from '../concurrency';
import { referrersTag } from './digest';
import { isIndex, platformString } from './types';
import type { Descriptor, ManifestJson, RegistryBackend } from './types';

export type AttachmentKind = 'signature' | 'sbom' | 'attestation' | 'scan-report' | 'vex' | 'promotion' | 'artifact';

export interface Attachment {
  readonly kind: AttachmentKind;
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactType?: string;
  /** How it was found: the referrers API/fallback index, or a legacy cosign tag. */
  readonly via: 'referrers' | 'cosign-tag';
  readonly tag?: string;
  /** `org.opencontainers.image.created` of the referrer, when it says. */
  readonly created?: string;
}

export interface ImageDetails {
  readonly repository: string;
  readonly reference: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly platforms: readonly { readonly platform: string; readonly digest: string }[];
  readonly labels: Readonly<Record<string, string>>;
  /** Config `created`, when the image has one config (single platform, or the first platform). */
  readonly created?: string;
  readonly attachments: readonly Attachment[];
}

/** What an artifact is, from its artifact type or media types (SPDX/CycloneDX, cosign, in-toto, SARIF…). */
export function attachmentKind(type: string): AttachmentKind {
  const value = type.toLowerCase();
  if (/artifact-steward\.promotion/.test(value)) return 'promotion';
  if (/openvex|[./+]vex\b|csaf/.test(value)) return 'vex';
  if (/spdx|cyclonedx|sbom/.test(value)) return 'sbom';
  if (/sarif|vuln|scan|trivy|grype/.test(value)) return 'scan-report';
  if (/in-toto|intoto|attestation|dsse/.test(value)) return 'attestation';
  if (/signature|cosign|sigstore|notary|notation|simplesigning/.test(value)) return 'signature';
  return 'artifact';
}

const COSIGN_SUFFIX_KIND: Readonly<Record<string, AttachmentKind>> = { sig: 'signature', att: 'attestation', sbom: 'sbom' };

/** Legacy cosign tags (`sha256-<hex>.sig`, `.att`, `.sbom`) for a digest, among a repository's tags. */
export function cosignTagsFor(digest: string, tags: Iterable<string>): { tag: string; kind: AttachmentKind }[] {
  const prefix = `${referrersTag(digest)}.`;
  return [...tags].filter((tag) => tag.startsWith(prefix) && COSIGN_SUFFIX_KIND[tag.slice(prefix.length)]).map((tag) => ({ tag, kind: COSIGN_SUFFIX_KIND[tag.slice(prefix.length)]! }));
}

/** Attachments of a digest: referrers (API or fallback index) plus legacy cosign tags. */
export async function attachmentsOf(backend: RegistryBackend, repository: string, digest: string, tags: Iterable<string> | Promise<Iterable<string>>, signal?: AbortSignal): Promise<Attachment[]> {
  const [referrers, knownTags]: [Descriptor[], Iterable<string>] = await Promise.all([backend.referrers(repository, digest, signal), tags]);
  const attachments: Attachment[] = referrers.map((descriptor) => ({
    kind: attachmentKind(descriptor.artifactType ?? descriptor.mediaType),
    digest: descriptor.digest,
    mediaType: descriptor.mediaType,
    ...(descriptor.artifactType ? { artifactType: descriptor.artifactType } : {}),
    ...(typeof descriptor.annotations?.['org.opencontainers.image.created'] === 'string' ? { created: descriptor.annotations['org.opencontainers.image.created'] } : {}),
    via: 'referrers',
  }));
  const cosign = await Promise.all(cosignTagsFor(digest, knownTags).map(async ({ tag, kind }): Promise<Attachment> => {
    const descriptor = await backend.resolve(repository, tag, signal);
    return { kind, digest: descriptor.digest, mediaType: descriptor.mediaType, via: 'cosign-tag', tag };
  }));
  return [...attachments, ...cosign];
}

export async function allTags(backend: RegistryBackend, repository: string, signal?: AbortSignal): Promise<string[]> {
  const tags: string[] = [];
  for await (const page of backend.listTags(repository, signal ? { signal } : {})) for (const tag of page) tags.push(tag);
  return tags;
}

/** Labels and config `created` of an image manifest (of `childDigest` first, for an index). */
export async function labelsAndCreated(backend: RegistryBackend, repository: string, childDigest: string | undefined, json: ManifestJson, signal?: AbortSignal): Promise<{ labels: Record<string, string>; created?: string }> {
  const imageManifest = childDigest ? (await backend.getManifest(repository, childDigest, signal)).json : json;
  if (!imageManifest.config || !/config|container\.image/.test(imageManifest.config.mediaType)) return { labels: {} };
  const config = JSON.parse((await backend.getBlob(repository, imageManifest.config.digest, signal)).toString('utf8')) as { created?: string; config?: { Labels?: Record<string, string> | null } };
  return { labels: config.config?.Labels ?? {}, ...(config.created ? { created: config.created } : {}) };
}

/** Digest, media type, platforms, labels and attachments of one image. */
export async function inspectImage(backend: RegistryBackend, repository: string, reference: string, signal?: AbortSignal): Promise<ImageDetails> {
  const manifest = await backend.getManifest(repository, reference, signal);
  const { digest, mediaType, size } = manifest.descriptor;
  const platforms = isIndex(mediaType)
    ? (manifest.json.manifests ?? []).filter((child) => child.platform && child.platform.os !== 'unknown').map((child) => ({ platform: platformString(child.platform), digest: child.digest }))
    : [];
  // Attachments and the image config are read at once.
  const [attachments, { labels, created }] = await Promise.all([
    attachmentsOf(backend, repository, digest, allTags(backend, repository, signal), signal),
    labelsAndCreated(backend, repository, isIndex(mediaType) && platforms[0] ? platforms[0].digest : undefined, manifest.json, signal),
  ]);
  return { repository, reference, digest, mediaType, size, platforms, labels, ...(created ? { created } : {}), attachments };
}

/** The tags on each digest of a repository, as they are now (one HEAD per tag, eight at a time). */
export async function tagsByDigest(backend: RegistryBackend, repository: string, signal?: AbortSignal): Promise<Map<string, string[]>> {
  const tags = await allTags(backend, repository, signal);
  const digests = await mapLimited(tags, 8, async (tag) => (await backend.resolve(repository, tag, signal)).digest);
  const byDigest = new Map<string, string[]>();
  tags.forEach((tag, index) => {
    const list = byDigest.get(digests[index]!);
    if (list) list.push(tag);
    else byDigest.set(digests[index]!, [tag]);
  });
  return byDigest;
}

/** Every tag that points at `digest`: what a DELETE by digest removes with it. */
export async function tagsOfDigest(backend: RegistryBackend, repository: string, digest: string, signal?: AbortSignal): Promise<string[]> {
  return ((await tagsByDigest(backend, repository, signal)).get(digest) ?? []).sort();
}

/**
 * The content of an attachment (an SBOM, a scan report, an attestation): the first layer of its
 * manifest that is not the empty descriptor. Verified against its digest like every blob.
 */
export async function attachmentContent(backend: RegistryBackend, repository: string, attachment: Attachment, signal?: AbortSignal): Promise<Buffer> {
  const manifest = await backend.getManifest(repository, attachment.digest, signal);
  const layer = manifest.json.layers?.find((candidate) => candidate.mediaType !== 'application/vnd.oci.empty.v1+json' && candidate.size > 0);
  if (!layer) throw new Error(`${backend.name}/${repository}@${attachment.digest} has no content layer`);
  return backend.getBlob(repository, layer.digest, signal);
}
