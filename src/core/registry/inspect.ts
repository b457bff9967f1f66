import { mapLimited } from '../concurrency';
import { referrersTag } from './digest';
import { isIndex, MEDIA_TYPES, platformString } from './types';
import type { Descriptor, ManifestJson, RegistryBackend } from './types';

export type AttachmentKind = 'signature' | 'sbom' | 'provenance' | 'attestation' | 'scan-report' | 'vex' | 'promotion' | 'artifact';

export interface Attachment {
  readonly kind: AttachmentKind;
  /** The manifest that holds it (for BuildKit, the attestation manifest inside the index). */
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactType?: string;
  /** How it was found: the referrers API/fallback index, a legacy cosign tag, or the image index (BuildKit). */
  readonly via: 'referrers' | 'cosign-tag' | 'buildkit';
  readonly tag?: string;
  /** `org.opencontainers.image.created` of the referrer, when it says. */
  readonly created?: string;
  /** The platform it is about (`linux/amd64`): BuildKit attests each platform of an index separately. */
  readonly platform?: string;
  /** The in-toto predicate type, when the registry tells it without reading the statement. */
  readonly predicateType?: string;
  /** The layer that holds it, when its manifest holds several (a BuildKit attestation manifest). */
  readonly layerDigest?: string;
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
  if (/provenance/.test(value)) return 'provenance';
  if (/in-toto|intoto|attestation|dsse/.test(value)) return 'attestation';
  if (/signature|cosign|sigstore|notary|notation|simplesigning/.test(value)) return 'signature';
  return 'artifact';
}

/** What an in-toto statement is, from its predicate type; one we cannot name is still an attestation. */
export function predicateKind(predicateType: string): AttachmentKind {
  const kind = attachmentKind(predicateType);
  return kind === 'artifact' ? 'attestation' : kind;
}

/** Where tools write the predicate type beside a statement: BuildKit layers, cosign bundles, cosign `.att` layers. */
const PREDICATE_TYPE_ANNOTATIONS = ['in-toto.io/predicate-type', 'dev.sigstore.bundle.predicateType', 'predicateType'];

/** The one predicate type these annotations name (several different ones name none). */
function predicateTypeIn(annotations: readonly (Readonly<Record<string, string>> | undefined)[]): string | undefined {
  const named = new Set(annotations.flatMap((entries) => PREDICATE_TYPE_ANNOTATIONS.map((key) => entries?.[key]).filter((value): value is string => typeof value === 'string' && value !== '')));
  return named.size === 1 ? [...named][0] : undefined;
}

/**
 * What a referrer or cosign manifest holds, from what it says about itself: a predicate type
 * when one is annotated (a cosign bundle of a SLSA statement is provenance, of the cosign sign
 * predicate a signature), else the first of its types that names a kind. Undefined when none does.
 */
function declaredKind(types: readonly (string | undefined)[], annotations: readonly (Readonly<Record<string, string>> | undefined)[]): { kind: AttachmentKind; predicateType?: string } | undefined {
  const predicateType = predicateTypeIn(annotations);
  if (predicateType) return { kind: predicateKind(predicateType), predicateType };
  const kind = types.map((type) => (type ? attachmentKind(type) : 'artifact')).find((candidate) => candidate !== 'artifact');
  return kind ? { kind } : undefined;
}

/** Its own types and annotations, then its layers': a manifest's evidence of what it holds. */
const manifestKind = (json: ManifestJson) => declaredKind(
  [json.artifactType, json.config?.mediaType === MEDIA_TYPES.ociEmpty ? undefined : json.config?.mediaType, ...(json.layers ?? []).map((layer) => layer.mediaType)],
  [json.annotations, ...(json.layers ?? []).map((layer) => layer.annotations)],
);

/** An attachment in a few words: its type, the platform it is about, and where it was found when that is not the referrers. */
export function describeAttachment(attachment: Attachment): string {
  const type = attachment.predicateType ?? attachment.artifactType ?? attachment.mediaType;
  const where = attachment.via === 'buildkit' ? ' (BuildKit, in the index)' : attachment.tag ? ` (tag ${attachment.tag})` : '';
  return `${type}${attachment.platform ? ` for ${attachment.platform}` : ''}${where}`;
}

const COSIGN_SUFFIX_KIND: Readonly<Record<string, AttachmentKind>> = { sig: 'signature', att: 'attestation', sbom: 'sbom' };

/** Legacy cosign tags (`sha256-<hex>.sig`, `.att`, `.sbom`) for a digest, among a repository's tags. */
export function cosignTagsFor(digest: string, tags: Iterable<string>): { tag: string; kind: AttachmentKind }[] {
  const prefix = `${referrersTag(digest)}.`;
  return [...tags].filter((tag) => tag.startsWith(prefix) && COSIGN_SUFFIX_KIND[tag.slice(prefix.length)]).map((tag) => ({ tag, kind: COSIGN_SUFFIX_KIND[tag.slice(prefix.length)]! }));
}

const ATTESTATION_MANIFEST = 'attestation-manifest';
const IN_TOTO_STATEMENT = 'application/vnd.in-toto+json';

/** BuildKit's attestation manifests sit in the index as `unknown/unknown` entries naming their platform manifest. */
export function isAttestationManifest(descriptor: Descriptor): boolean {
  return descriptor.annotations?.['vnd.docker.reference.type'] === ATTESTATION_MANIFEST;
}

/** The platform images of an index: without BuildKit's attestation manifests (and any other `unknown/unknown` entry). */
export function imagePlatforms(index: ManifestJson): Descriptor[] {
  return (index.manifests ?? []).filter((child) => child.platform && child.platform.os !== 'unknown' && !isAttestationManifest(child));
}

/**
 * BuildKit attestations (`--sbom`, `--provenance`), stored inside the index per the attestation-storage
 * document: one attachment per in-toto layer of each attestation manifest, about the platform the
 * manifest names. Layers of other media types are ignored, as that document asks.
 */
export async function buildkitAttestations(backend: RegistryBackend, repository: string, index: ManifestJson, signal?: AbortSignal): Promise<Attachment[]> {
  const children = index.manifests ?? [];
  const perManifest = await Promise.all(children.filter(isAttestationManifest).map(async (entry) => {
    const platform = children.find((child) => child.digest === entry.annotations?.['vnd.docker.reference.digest'])?.platform;
    const manifest = await backend.getManifest(repository, entry.digest, signal);
    return (manifest.json.layers ?? []).filter((layer) => layer.mediaType === IN_TOTO_STATEMENT).map((layer): Attachment => {
      const predicateType = layer.annotations?.['in-toto.io/predicate-type'];
      return {
        kind: predicateType ? predicateKind(predicateType) : 'attestation', digest: entry.digest, mediaType: manifest.descriptor.mediaType, via: 'buildkit',
        ...(platform ? { platform: platformString(platform) } : {}), ...(predicateType ? { predicateType } : {}), layerDigest: layer.digest,
      };
    });
  }));
  return perManifest.flat();
}

/**
 * Attachments of a digest: referrers (API or fallback index) plus legacy cosign tags, and, given the
 * image's index, its BuildKit attestations. A referrer whose index entry names no known type (some
 * cosign versions write the empty config type there) is classified from its own manifest.
 */
export async function attachmentsOf(backend: RegistryBackend, repository: string, digest: string, tags: Iterable<string> | Promise<Iterable<string>>, signal?: AbortSignal, index?: ManifestJson): Promise<Attachment[]> {
  const [referrers, knownTags]: [Descriptor[], Iterable<string>] = await Promise.all([backend.referrers(repository, digest, signal), tags]);
  const attachments = await Promise.all(referrers.map(async (descriptor): Promise<Attachment> => {
    const declared = declaredKind([descriptor.artifactType, descriptor.mediaType], [descriptor.annotations])
      ?? manifestKind((await backend.getManifest(repository, descriptor.digest, signal)).json);
    return {
      kind: declared?.kind ?? 'artifact',
      digest: descriptor.digest,
      mediaType: descriptor.mediaType,
      ...(descriptor.artifactType ? { artifactType: descriptor.artifactType } : {}),
      ...(typeof descriptor.annotations?.['org.opencontainers.image.created'] === 'string' ? { created: descriptor.annotations['org.opencontainers.image.created'] } : {}),
      ...(declared?.predicateType ? { predicateType: declared.predicateType } : {}),
      via: 'referrers',
    };
  }));
  const cosign = await Promise.all(cosignTagsFor(digest, knownTags).map(async ({ tag, kind }): Promise<Attachment> => {
    // The manifest, not just its digest: an `.att` layer annotates its predicate type (SLSA makes it provenance).
    const manifest = await backend.getManifest(repository, tag, signal);
    const predicateType = kind === 'attestation' ? predicateTypeIn((manifest.json.layers ?? []).map((layer) => layer.annotations)) : undefined;
    return { kind: predicateType ? predicateKind(predicateType) : kind, digest: manifest.descriptor.digest, mediaType: manifest.descriptor.mediaType, via: 'cosign-tag', tag, ...(predicateType ? { predicateType } : {}) };
  }));
  const buildkit = index ? await buildkitAttestations(backend, repository, index, signal) : [];
  return [...attachments, ...cosign, ...buildkit];
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
  const platforms = isIndex(mediaType) ? imagePlatforms(manifest.json).map((child) => ({ platform: platformString(child.platform), digest: child.digest })) : [];
  // Attachments and the image config are read at once.
  const [attachments, { labels, created }] = await Promise.all([
    attachmentsOf(backend, repository, digest, allTags(backend, repository, signal), signal, manifest.json),
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
 * The content of an attachment (an SBOM, a scan report, an attestation): its layer when it names
 * one (BuildKit), else the first layer of its manifest that is not the empty descriptor. Verified
 * against its digest like every blob.
 */
export async function attachmentContent(backend: RegistryBackend, repository: string, attachment: Attachment, signal?: AbortSignal): Promise<Buffer> {
  const manifest = await backend.getManifest(repository, attachment.digest, signal);
  // The named layer only if this manifest lists it: an attachment never reads a blob its manifest does not name.
  const layer = manifest.json.layers?.find((candidate) => (attachment.layerDigest ? candidate.digest === attachment.layerDigest : candidate.mediaType !== MEDIA_TYPES.ociEmpty && candidate.size > 0));
  if (!layer) throw new Error(`${backend.name}/${repository}@${attachment.digest} has no content layer`);
  return backend.getBlob(repository, layer.digest, signal);
}
