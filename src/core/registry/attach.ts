import { sleep } from '../concurrency';
import { referrersTag, sha256Digest } from './digest';
import type { HttpRegistry } from './httpRegistry';
import { RegistryError } from './errors';
import { MEDIA_TYPES } from './types';
import type { Descriptor, ManifestJson } from './types';

export interface ArtifactContent {
  /** `application/vnd.cyclonedx+json`, `application/spdx+json`, a scan report type. */
  readonly artifactType: string;
  readonly bytes: Buffer;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Artifact types for what trivy writes, as registries and tools (Harbor, ORAS, cosign) name them. */
export const ARTIFACT_TYPES = {
  cyclonedx: 'application/vnd.cyclonedx+json',
  spdx: 'application/spdx+json',
  trivyReport: 'application/vnd.aquasec.trivy.report.v1+json',
} as const;

const EMPTY_CONFIG = Buffer.from('{}');

export interface ArtifactBlobs {
  readonly config: { digest: string; size: number };
  readonly layer: { digest: string; size: number };
}

/** Uploads an artifact's empty config and its content, both at once; nothing points at them until its manifest is put. */
export async function pushArtifactBlobs(registry: HttpRegistry, repository: string, bytes: Buffer, signal?: AbortSignal): Promise<ArtifactBlobs> {
  const [config, layer] = await Promise.all([registry.pushBlob(repository, EMPTY_CONFIG, signal), registry.pushBlob(repository, bytes, signal)]);
  return { config, layer };
}

/**
 * Attaches content to an image as an OCI artifact whose `subject` is the image (OCI 1.1). On a
 * registry without the referrers API (no `OCI-Subject` answer) it also adds the artifact to the
 * fallback tag index `sha256-<hex>`, as the distribution spec asks clients to. The subject's tags
 * are never touched. `blobs` lets a caller upload the content earlier (see pushArtifactBlobs).
 */
export async function attachArtifact(
  registry: HttpRegistry, repository: string, subject: Descriptor, content: ArtifactContent, signal?: AbortSignal,
  blobs: Promise<ArtifactBlobs> = pushArtifactBlobs(registry, repository, content.bytes, signal),
): Promise<Descriptor> {
  const { config, layer } = await blobs;
  const manifest: ManifestJson = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    artifactType: content.artifactType,
    config: { mediaType: MEDIA_TYPES.ociEmpty, ...config },
    layers: [{ mediaType: content.artifactType, ...layer }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...(content.annotations ? { annotations: content.annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const { digest, subjectAccepted } = await registry.putManifest(repository, sha256Digest(bytes), bytes, MEDIA_TYPES.ociManifest, signal);
  const descriptor: Descriptor = { mediaType: MEDIA_TYPES.ociManifest, digest, size: bytes.length, artifactType: content.artifactType, ...(content.annotations ? { annotations: content.annotations } : {}) };
  if (!subjectAccepted) await addToFallbackIndex(registry, repository, subject.digest, descriptor, signal);
  return descriptor;
}

/** Writes of a fallback index before giving up on concurrent writers. */
const FALLBACK_INDEX_WRITES = 10;
/** The shortest pause before checking that our write held (a loopback round trip is far shorter). */
const MIN_SETTLE_MS = 10;

async function fallbackIndexEntries(registry: HttpRegistry, repository: string, tag: string, signal?: AbortSignal): Promise<Descriptor[]> {
  try {
    return [...((await registry.getManifest(repository, tag, signal)).json.manifests ?? [])];
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) return [];
    throw error;
  }
}

/**
 * Adds a referrer to the fallback tag index `sha256-<hex>` of its subject (registries without the
 * referrers API). The registry has no compare-and-swap, so another writer's PUT, made from a read
 * before ours, can replace our index: after writing, it pauses (randomized, at least as long as its
 * own read and write took, so such a late PUT lands first), reads again and merges again until the
 * entry is there.
 */
export async function addToFallbackIndex(registry: HttpRegistry, repository: string, subjectDigest: string, descriptor: Descriptor, signal?: AbortSignal): Promise<void> {
  const tag = referrersTag(subjectDigest);
  for (let writes = 0; ; writes += 1) {
    const started = Date.now();
    const manifests = await fallbackIndexEntries(registry, repository, tag, signal);
    if (manifests.some((existing) => existing.digest === descriptor.digest)) return;
    if (writes === FALLBACK_INDEX_WRITES) break;
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [...manifests, descriptor] }));
    await registry.putManifest(repository, tag, index, MEDIA_TYPES.ociIndex, signal);
    const roundTrip = Math.max(MIN_SETTLE_MS, Date.now() - started);
    await sleep(roundTrip * (1 + Math.random() * (writes + 1)), signal);
  }
  throw new Error(`${registry.name}/${repository}:${tag}: other writers kept replacing the referrers index; ${descriptor.digest} is not in it after ${FALLBACK_INDEX_WRITES} writes`);
}
