import { mapLimited } from '../concurrency';
import { RegistryError } from '../registry/errors';
import { HttpRegistry } from '../registry/httpRegistry';
import { allTags, imagePlatforms, isAttestationManifest } from '../registry/inspect';
import { isIndex } from '../registry/types';
import type { Descriptor, FetchedManifest, ManifestJson, RegistryBackend } from '../registry/types';
import type { AgeSource, Artifact, ArtifactRole, Blob, RepositoryInventory } from './model';

/** Requests in flight at once while reading a repository. */
const CONCURRENCY = 8;
const CREATED_KEY = 'org.opencontainers.image.created';
const FALLBACK_TAG = /^sha256-([0-9a-f]{64})$/;
const COSIGN_TAG = /^sha256-([0-9a-f]{64})\.(sig|att|sbom)$/;

export interface InventoryOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

interface Age {
  readonly created?: number;
  readonly ageSource: AgeSource;
}

/** A time from an image: reproducible builds write the Unix epoch (or nothing), which says nothing about age. */
function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) && time > 0 ? time : undefined;
}

function isImageConfig(mediaType: string | undefined): boolean {
  return mediaType !== undefined && /image\.config|container\.image/.test(mediaType);
}

/**
 * Reads everything retention needs from one repository: each tag's manifest (one GET per tag),
 * index children, attachments (fallback tag indexes, cosign tags, the referrers API where the
 * registry has one) and each image's age from its config (`created`), its
 * `org.opencontainers.image.created` label, or the manifest's annotation — in that order.
 */
export async function readInventory(backend: RegistryBackend, repository: string, options: InventoryOptions = {}): Promise<RepositoryInventory> {
  const { signal } = options;
  const tags = await allTags(backend, repository, signal);
  const manifests = new Map<string, FetchedManifest>();
  const tagsOf = new Map<string, string[]>();
  let done = 0;
  const fetched = await mapLimited(tags, CONCURRENCY, async (tag) => {
    try {
      return await backend.getManifest(repository, tag, signal);
    } catch (error) {
      // Deleted between the listing and now: nothing to plan for it.
      if (error instanceof RegistryError && error.status === 404) return undefined;
      throw error;
    } finally {
      options.onProgress?.(++done, tags.length);
    }
  });
  for (const [index, manifest] of fetched.entries()) {
    if (!manifest) continue;
    const { digest } = manifest.descriptor;
    manifests.set(digest, manifest);
    tagsOf.set(digest, [...(tagsOf.get(digest) ?? []), tags[index]!]);
  }

  const roles = new Map<string, { role: ArtifactRole; subject?: string }>();
  const setRole = (digest: string, role: ArtifactRole, subject?: string) => {
    if (!roles.has(digest) || role === 'referrers-index' || (role === 'attachment' && roles.get(digest)!.role !== 'referrers-index')) roles.set(digest, { role, ...(subject ? { subject } : {}) });
  };
  const pending = new Map<string, ArtifactRole>();
  const subjectOf = new Map<string, string>();
  for (const [digest, manifest] of manifests) {
    for (const tag of tagsOf.get(digest)!) {
      const fallback = FALLBACK_TAG.exec(tag);
      const cosign = COSIGN_TAG.exec(tag);
      if (fallback && isIndex(manifest.descriptor.mediaType)) {
        setRole(digest, 'referrers-index', `sha256:${fallback[1]}`);
        for (const entry of manifest.json.manifests ?? []) {
          subjectOf.set(entry.digest, `sha256:${fallback[1]}`);
          pending.set(entry.digest, 'attachment');
        }
      } else if (cosign) setRole(digest, 'attachment', `sha256:${cosign[1]}`);
    }
    if (manifest.json.subject) setRole(digest, 'attachment', manifest.json.subject.digest);
    else if (!roles.has(digest)) setRole(digest, isIndex(manifest.descriptor.mediaType) ? 'index' : 'image');
    if (roles.get(digest)!.role === 'index') {
      for (const child of manifest.json.manifests ?? []) {
        // A BuildKit attestation manifest is an index child attached to its platform: it goes where its image goes.
        const attestedPlatform = isAttestationManifest(child) ? child.annotations?.['vnd.docker.reference.digest'] : undefined;
        if (attestedPlatform) subjectOf.set(child.digest, attestedPlatform);
        pending.set(child.digest, attestedPlatform ? 'attachment' : 'child');
      }
    }
  }

  // Attachments through the referrers API (registries that have it; others keep them in the fallback tags read above).
  const subjects = [...roles].filter(([, { role }]) => role === 'image' || role === 'index').map(([digest]) => digest);
  const mayHaveApi = () => !(backend instanceof HttpRegistry && backend.referrersApiAvailable === false);
  const tagSet = new Set(tags);
  await mapLimited(subjects, CONCURRENCY, async (digest) => {
    if (tagSet.has(digest.replace(':', '-')) || !mayHaveApi()) return;
    for (const referrer of await backend.referrers(repository, digest, signal)) {
      subjectOf.set(referrer.digest, digest);
      pending.set(referrer.digest, 'attachment');
    }
  });

  const untaggedDigests = [...pending.keys()].filter((digest) => !manifests.has(digest));
  const untagged = await mapLimited(untaggedDigests, CONCURRENCY, (digest) => backend.getManifest(repository, digest, signal));
  for (const manifest of untagged) manifests.set(manifest.descriptor.digest, manifest);
  for (const [digest, role] of pending) {
    const manifest = manifests.get(digest)!;
    if (role === 'child' && !roles.has(digest)) setRole(digest, 'child');
    else if (role === 'attachment') setRole(digest, 'attachment', manifest.json.subject?.digest ?? subjectOf.get(digest));
  }

  const configs = new Map<string, Promise<{ created?: unknown; config?: { Labels?: Record<string, string> | null } }>>();
  const readConfig = (config: Descriptor) => {
    let read = configs.get(config.digest);
    if (!read) {
      read = backend.getBlob(repository, config.digest, signal).then((bytes) => JSON.parse(bytes.toString('utf8')) as { created?: unknown });
      configs.set(config.digest, read);
    }
    return read;
  };
  const ageOf = async (json: ManifestJson): Promise<Age> => {
    // An index's age is its first real platform's (buildx adds `unknown/unknown` attestation children).
    const firstChild = imagePlatforms(json)[0];
    const imageJson = json.manifests ? (firstChild ? manifests.get(firstChild.digest)?.json : undefined) : json;
    if (imageJson?.config && isImageConfig(imageJson.config.mediaType)) {
      const config = await readConfig(imageJson.config);
      const fromConfig = parseTime(config.created);
      if (fromConfig !== undefined) return { created: fromConfig, ageSource: 'config created' };
      const fromLabel = parseTime(config.config?.Labels?.[CREATED_KEY]);
      if (fromLabel !== undefined) return { created: fromLabel, ageSource: 'label org.opencontainers.image.created' };
    }
    const fromAnnotation = parseTime(json.annotations?.[CREATED_KEY]);
    return fromAnnotation !== undefined ? { created: fromAnnotation, ageSource: 'annotation org.opencontainers.image.created' } : { ageSource: 'unknown' };
  };

  const artifacts = await mapLimited([...roles], CONCURRENCY, async ([digest, { role, subject }]): Promise<Artifact> => {
    const manifest = manifests.get(digest)!;
    const own: Blob[] = [{ digest, size: manifest.bytes.length }];
    if (manifest.json.config) own.push({ digest: manifest.json.config.digest, size: manifest.json.config.size });
    for (const layer of manifest.json.layers ?? []) own.push({ digest: layer.digest, size: layer.size });
    const age = await ageOf(manifest.json);
    return {
      digest, mediaType: manifest.descriptor.mediaType, role, tags: (tagsOf.get(digest) ?? []).sort(),
      ...(age.created !== undefined ? { created: age.created } : {}), ageSource: age.ageSource,
      blobs: own, children: role === 'index' ? (manifest.json.manifests ?? []).map((child) => child.digest) : [],
      ...(subject ? { subject } : {}),
    };
  });
  return { registry: backend.name, repository, artifacts: artifacts.sort((a, b) => a.digest.localeCompare(b.digest)) };
}

/** Inventories of one repository, or of every repository the registry lists (two at a time). */
export async function readInventories(backend: RegistryBackend, repository: string | undefined, options: InventoryOptions & { onRepository?: (repository: string) => void } = {}): Promise<RepositoryInventory[]> {
  let repositories: string[];
  if (repository !== undefined) repositories = [repository];
  else {
    repositories = [];
    for await (const page of backend.listRepositories(options.signal ? { signal: options.signal } : {})) for (const repository of page) repositories.push(repository);
  }
  return mapLimited(repositories.sort(), 2, (name) => {
    options.onRepository?.(name);
    return readInventory(backend, name, options);
  });
}
